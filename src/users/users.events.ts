/** Emitted (and awaited) after a user withdrew; other modules clean up what was theirs. */
export class UserWithdrawnEvent {
  static readonly NAME = 'user.withdrawn';
  constructor(readonly userId: number) {}
}

/**
 * Emitted after a suspension was committed; the chat gateway disconnects the user's sockets.
 * `UsersService.suspend` emits it itself only when it runs its own transaction: a caller that
 * passes its `manager` must emit it after that transaction commits (never inside it, or a
 * rolled-back suspension would still throw the user out).
 */
export class UserSuspendedEvent {
  static readonly NAME = 'user.suspended';
  constructor(readonly userId: number) {}
}

/**
 * Emitted after one user blocked another (committed): pending matching requests between
 * them are cancelled. Nobody is notified.
 */
export class UserBlockedEvent {
  static readonly NAME = 'user.blocked';
  constructor(
    readonly blockerId: number,
    readonly blockedId: number,
  ) {}
}

/** Emitted after a block was lifted (committed). Nobody is notified. */
export class UserUnblockedEvent {
  static readonly NAME = 'user.unblocked';
  constructor(
    readonly blockerId: number,
    readonly blockedId: number,
  ) {}
}
