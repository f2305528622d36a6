import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { AppContext, createAppContext } from '../../test/support/app-context';
import {
  guideThroughServices,
  requestThroughServices,
  storyThroughServices,
} from '../../test/support/domain-fixtures';
import { MatchingRequest, MatchingStatus } from './entities/matching-request.entity';
import { MatchingService } from './matching.service';

type Action = 'accept' | 'reject' | 'cancel' | 'complete';
type Actor = 'guide' | 'traveler';

/** docs/api.md, Matching: who may do what, and from which status to which. */
const WHO: Record<Action, Actor[]> = {
  accept: ['guide'],
  reject: ['guide'],
  cancel: ['traveler'],
  complete: ['guide', 'traveler'],
};
const MOVES: Partial<Record<MatchingStatus, Partial<Record<Action, MatchingStatus>>>> = {
  pending: { accept: 'accepted', reject: 'rejected', cancel: 'cancelled' },
  accepted: { complete: 'completed', cancel: 'cancelled' },
};
const STATUSES: MatchingStatus[] = ['pending', 'accepted', 'rejected', 'cancelled', 'completed'];
const ACTIONS: Action[] = ['accept', 'reject', 'cancel', 'complete'];

/**
 * The matching state machine against the real service and a real SQLite data source: every
 * (status, action, actor), its outcome and the row it leaves.
 */
describe('MatchingService state machine', () => {
  let ctx: AppContext;
  let matching: MatchingService;
  let guide: AuthUser;
  let storyId: number;

  beforeAll(async () => {
    ctx = await createAppContext();
    matching = ctx.get(MatchingService);
    const admin = await ctx.user('admin');
    guide = await guideThroughServices(ctx, admin);
    storyId = (await storyThroughServices(ctx, guide)).id;
  });
  afterAll(async () => ctx.close());

  /** A request of a new traveller, brought to `status` through the service. */
  async function requestIn(status: MatchingStatus): Promise<{ id: number; traveler: AuthUser }> {
    const traveler = await ctx.user();
    const id = await requestThroughServices(ctx, traveler, storyId);
    if (status === 'accepted' || status === 'completed') await matching.accept(guide, id);
    if (status === 'completed') await matching.complete(traveler, id);
    if (status === 'rejected') await matching.reject(guide, id, {});
    if (status === 'cancelled') await matching.cancel(traveler, id);
    return { id, traveler };
  }

  const statusOf = async (id: number) =>
    (await ctx.dataSource.getRepository(MatchingRequest).findOneByOrFail({ id })).status;

  async function attempt(action: Action, user: AuthUser, id: number): Promise<string> {
    try {
      const dto =
        action === 'reject'
          ? await matching.reject(user, id, {})
          : await matching[action](user, id);
      return dto.status;
    } catch (error) {
      if (error instanceof DomainException) return error.code;
      throw error;
    }
  }

  const cases = STATUSES.flatMap((from) =>
    ACTIONS.flatMap((action) =>
      (['guide', 'traveler'] as Actor[]).map((actor) => ({ from, action, actor })),
    ),
  );

  it.each(cases)('$from + $action by the $actor', async ({ from, action, actor }) => {
    const { id, traveler } = await requestIn(from);
    expect(await statusOf(id)).toBe(from);
    const outcome = await attempt(action, actor === 'guide' ? guide : traveler, id);
    const to = MOVES[from]?.[action];
    if (!WHO[action].includes(actor)) {
      expect(outcome).toBe('FORBIDDEN');
      expect(await statusOf(id)).toBe(from);
    } else if (to) {
      expect(outcome).toBe(to);
      expect(await statusOf(id)).toBe(to);
    } else {
      expect(outcome).toBe('MATCHING_INVALID_STATE');
      expect(await statusOf(id)).toBe(from);
    }
  });

  it('of two transitions at once, exactly one wins', async () => {
    const { id, traveler } = await requestIn('pending');
    const outcomes = await Promise.all([
      attempt('accept', guide, id),
      attempt('cancel', traveler, id),
      attempt('reject', guide, id),
    ]);
    const won = outcomes.filter((o) => o !== 'MATCHING_INVALID_STATE');
    expect(won).toHaveLength(1);
    expect(await statusOf(id)).toBe(won[0]);
  });

  it('outsiders get 404, not 403: the request does not exist for them', async () => {
    const { id } = await requestIn('pending');
    const stranger = await ctx.user();
    expect(await attempt('accept', stranger, id)).toBe('NOT_FOUND');
    expect(await attempt('cancel', stranger, id)).toBe('NOT_FOUND');
  });
});
