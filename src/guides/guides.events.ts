/** Emitted after an admin's decision on a guide is committed (notifications listen). */
export class GuideDecisionEvent {
  static readonly APPROVED = 'guide.approved';
  static readonly REJECTED = 'guide.rejected';
  static readonly SUSPENDED = 'guide.suspended';
  constructor(
    readonly guideId: number,
    readonly userId: number,
    readonly reason: string | null,
  ) {}
}
