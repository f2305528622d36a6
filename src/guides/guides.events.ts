/**
 * Emitted after an admin approved or rejected a guide application (committed); the applicant
 * is notified. A suspension is no event: nobody listens for it.
 */
export class GuideDecisionEvent {
  static readonly APPROVED = 'guides.approved';
  static readonly REJECTED = 'guides.rejected';
  constructor(
    readonly guideId: number,
    readonly userId: number,
    readonly reason: string | null,
  ) {}
}
