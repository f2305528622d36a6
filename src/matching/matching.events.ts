/**
 * Domain events of matching requests and reviews, emitted after the transaction that made the
 * change has committed (notifications listen to them).
 */

/** The common payload of every matching request event. */
export abstract class MatchingEvent {
  constructor(
    readonly requestId: number,
    readonly storyId: number,
    readonly storyTitle: string,
    readonly travelerId: number,
    /** The user id of the story's guide (not the guide profile id). */
    readonly guideUserId: number,
    /** Who made the change: the traveller or the guide. */
    readonly actorId: number,
    /** Set once the request was accepted (the room stays, read-only, after a cancel). */
    readonly chatRoomId: number | null,
    /** The guide's reason on reject; null otherwise. */
    readonly reason: string | null,
  ) {}
}

/** A traveller sent a request (actor: the traveller); the guide is notified. */
export class MatchingRequestedEvent extends MatchingEvent {
  static readonly NAME = 'matching.requested';
}

/** The guide accepted (actor: the guide); `chatRoomId` is the new room. */
export class MatchingAcceptedEvent extends MatchingEvent {
  static readonly NAME = 'matching.accepted';
}

/** The guide rejected (actor: the guide), `reason` optional. */
export class MatchingRejectedEvent extends MatchingEvent {
  static readonly NAME = 'matching.rejected';
}

/** The traveller cancelled a pending or accepted request (actor: the traveller). */
export class MatchingCancelledEvent extends MatchingEvent {
  static readonly NAME = 'matching.cancelled';
}

/** Either participant marked the trip done (actor: that participant). */
export class MatchingCompletedEvent extends MatchingEvent {
  static readonly NAME = 'matching.completed';
}

/** A pending request nobody answered in time expired (the traveller is told). */
export class MatchingExpiredEvent extends MatchingEvent {
  static readonly NAME = 'matching.expired';
}

/** An accepted trip is near (both are reminded). */
export class MatchingTripReminderEvent extends MatchingEvent {
  static readonly NAME = 'matching.trip-reminder';
}

/** A completed trip has no review yet (the traveller is reminded, once). */
export class MatchingReviewReminderEvent extends MatchingEvent {
  static readonly NAME = 'matching.review-reminder';
}

/** A traveller reviewed the guide of a completed request. */
export class ReviewCreatedEvent {
  static readonly NAME = 'review.created';
  constructor(
    readonly reviewId: number,
    readonly requestId: number,
    /** The guide profile id. */
    readonly guideId: number,
    readonly guideUserId: number,
    readonly travelerId: number,
    readonly rating: number,
  ) {}
}
