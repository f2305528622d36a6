import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** A section of a streamed document: one value, or the items of a list as they come. */
export type DocumentSection = (() => Promise<unknown>) | (() => AsyncIterable<unknown>);

/**
 * Writes `{ "<key>": <value>, "<list>": [ ... ], ... }` to `out` section by section, list items
 * as their generator yields them, waiting for the stream to drain when its buffer is full: a
 * large document never sits whole in memory. Lists are written from async iterables (the
 * owning modules page through their rows); values are awaited one by one.
 */
export async function writeJsonDocument(
  out: Writable,
  sections: Record<string, DocumentSection>,
): Promise<void> {
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('{');
  let first = true;
  for (const [key, section] of Object.entries(sections)) {
    await write(`${first ? '' : ','}\n${JSON.stringify(key)}:`);
    first = false;
    const value = section();
    if (isAsyncIterable(value)) {
      await write('[');
      let firstItem = true;
      for await (const item of value) {
        await write(`${firstItem ? '' : ','}\n${JSON.stringify(item)}`);
        firstItem = false;
      }
      await write(']');
    } else {
      await write(JSON.stringify((await value) ?? null));
    }
  }
  await write('\n}\n');
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/** Pages through rows by id: `page(afterId)` answers the next rows in id order. */
export async function* byPages<T extends { id: number }>(
  page: (afterId: number) => Promise<T[]>,
): AsyncGenerator<T> {
  let after = 0;
  for (;;) {
    const rows = await page(after);
    if (rows.length === 0) return;
    yield* rows;
    after = rows[rows.length - 1].id;
  }
}

/** Like {@link byPages}, but yields each page's ids together (for loaders that take a list). */
export async function* pagesOfIds(
  page: (afterId: number) => Promise<{ id: number }[]>,
): AsyncGenerator<number[]> {
  let after = 0;
  for (;;) {
    const rows = await page(after);
    if (rows.length === 0) return;
    yield rows.map((r) => r.id);
    after = rows[rows.length - 1].id;
  }
}
