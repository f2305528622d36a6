/** Emitted (and awaited) after a user withdrew; other modules clean up what was theirs. */
export class UserWithdrawnEvent {
  static readonly NAME = 'user.withdrawn';
  constructor(readonly userId: number) {}
}
