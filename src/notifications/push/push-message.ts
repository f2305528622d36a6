import type { FcmMessage } from './fcm.client';
import type { PushCategory } from './push-categories';

/** What one push says, whichever device it goes to. */
export interface PushContent {
  category: PushCategory;
  title: string;
  body: string;
  /** Ids (as strings, as FCM wants them) a client needs to open what the push is about. */
  data: Record<string, string>;
  /** Pushes with the same key replace each other on the device (a chat room's id); or null. */
  collapseKey: string | null;
}

/** At most `max` characters (code points), the last one an ellipsis when cut. */
export function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** A notification's data (ids, null for none) as FCM data: strings only, nulls left out. */
export function stringData(data: Record<string, string | number | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (value !== null && value !== undefined) out[key] = String(value);
  }
  return out;
}

/**
 * The FCM HTTP v1 message for one device. The title and body are in `data` too, so an app
 * handles every push from its data alone. In quiet hours the push has no `notification`
 * block (nothing shows or sounds): Android at normal priority, APNs as a background push
 * (`content-available: 1`, priority 5). Chat pushes carry the room id as Android
 * `collapse_key` (and notification tag) and as APNs `apns-collapse-id`.
 */
export function fcmMessage(token: string, content: PushContent, quiet: boolean): FcmMessage {
  const collapse = content.collapseKey;
  const android: Record<string, unknown> = { priority: quiet ? 'normal' : 'high' };
  if (collapse !== null) {
    android.collapse_key = collapse;
    if (!quiet) android.notification = { tag: collapse };
  }
  const apnsHeaders: Record<string, string> = quiet
    ? { 'apns-priority': '5', 'apns-push-type': 'background' }
    : { 'apns-priority': '10', 'apns-push-type': 'alert' };
  if (collapse !== null) apnsHeaders['apns-collapse-id'] = collapse;
  return {
    token,
    ...(quiet ? {} : { notification: { title: content.title, body: content.body } }),
    data: { ...content.data, title: content.title, body: content.body },
    android,
    apns: {
      headers: apnsHeaders,
      ...(quiet ? { payload: { aps: { 'content-available': 1 } } } : {}),
    },
  };
}
