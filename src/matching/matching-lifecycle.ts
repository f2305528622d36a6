import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { dateIn, instantOf } from '../common/time/zoned';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { runInTransaction } from '../database/transaction';
import { defineJob, JobQueue } from '../jobs/job-queue';
import {
  MatchingCompletedEvent,
  MatchingExpiredEvent,
  MatchingReviewReminderEvent,
  MatchingTripReminderEvent,
} from './matching.events';
import { MatchingRepository } from './matching.repository';
import { MatchingService } from './matching.service';

/** One tick of the matching lifecycle: every rule below, for whatever is due now. */
export const MATCHING_LIFECYCLE = defineJob<Record<string, never>>('matching.lifecycle', {
  queue: 'lifecycle',
});

/** Rows one rule takes per round; a rule runs rounds until nothing is due. */
const BATCH = 200;

/**
 * The time-driven lifecycle of matching requests (docs/api.md, Lifecycle). Each rule is a query for due
 * rows and one conditional update per row, so a row changes (and its people are notified)
 * exactly once, however many instances or retries run the rule, and rows that became due
 * while the service was down are caught up on the first tick after start.
 *
 * Times of day are the service's zone's (SERVICE_TIME_ZONE): a desired date begins and ends
 * there; the trip starts at its desired time, or at the start of the day.
 */
@Injectable()
export class MatchingLifecycle implements OnModuleInit {
  private readonly logger = new Logger(MatchingLifecycle.name);
  private readonly rules: AppConfig['lifecycle'];

  constructor(
    @InjectConfig() config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly requests: MatchingRepository,
    private readonly matching: MatchingService,
    private readonly jobs: JobQueue,
  ) {
    this.rules = config.lifecycle;
  }

  onModuleInit(): void {
    this.jobs.register(MATCHING_LIFECYCLE, async () => {
      await this.run();
    });
    this.jobs.schedule(MATCHING_LIFECYCLE, { everyMs: this.rules.tickSeconds * 1000 }, {});
  }

  /** Every rule, for what is due at `now`. Returns how many requests each rule changed. */
  async run(now = new Date()): Promise<Record<string, number>> {
    const done = {
      expired: await this.expirePending(now),
      tripReminders: await this.remindTrips(now),
      autoCompleted: await this.autoComplete(now),
      reviewReminders: await this.remindReviews(now),
    };
    const total = Object.values(done).reduce((a, b) => a + b, 0);
    if (total > 0) this.logger.log(`Lifecycle: ${JSON.stringify(done)}`);
    return done;
  }

  /**
   * pending → expired at the end of the desired date or MATCHING_PENDING_TTL after it was
   * made, whichever comes first; the traveller is told (MATCHING_EXPIRED).
   */
  private async expirePending(now: Date): Promise<number> {
    const createdBefore = new Date(now.getTime() - this.rules.pendingTtlSeconds * 1000);
    const today = dateIn(now, this.rules.timeZone);
    return this.rounds(
      () => this.requests.duePendingExpiry(createdBefore, today, BATCH),
      async (id) => {
        const changed = await runInTransaction(this.dataSource, (m) =>
          this.requests.expire(m, id, now),
        );
        if (changed) await this.matching.announce(MatchingExpiredEvent, id);
        return changed;
      },
    );
  }

  /**
   * Both participants of an accepted request hear of the trip TRIP_REMINDER_BEFORE ahead of
   * it. A reminder whose moment passed while the service was down is still sent while the
   * trip lies ahead; one for a trip that has begun is dropped.
   */
  private async remindTrips(now: Date): Promise<number> {
    const before = this.rules.tripReminderBeforeSeconds * 1000;
    const horizon = dateIn(new Date(now.getTime() + before), this.rules.timeZone);
    let sent = 0;
    for (const row of await this.requests.dueTripReminders(horizon, 10 * BATCH)) {
      const trip = instantOf(row.desiredDate, this.rules.timeZone, row.desiredTime ?? '00:00');
      // soonest first (a missing time is 00:00, and sorts first too): none after this is due
      if (trip.getTime() - before > now.getTime()) break;
      const marked = await runInTransaction(this.dataSource, (m) =>
        this.requests.markTripReminded(m, row.id, now),
      );
      if (!marked || trip.getTime() <= now.getTime()) continue;
      await this.matching.announce(MatchingTripReminderEvent, row.id);
      sent += 1;
    }
    return sent;
  }

  /**
   * accepted → completed MATCHING_AUTO_COMPLETE_AFTER after the end of the desired date;
   * both are told (MATCHING_COMPLETED), as when one of them completes it.
   */
  private async autoComplete(now: Date): Promise<number> {
    const after = this.rules.autoCompleteAfterSeconds * 1000;
    // the end of date d is at or before now - after exactly when d is before that instant's date
    const beforeDate = dateIn(new Date(now.getTime() - after), this.rules.timeZone);
    return this.rounds(
      () => this.requests.dueAutoComplete(beforeDate, BATCH),
      async (id) => {
        const changed = await this.matching.completeByTime(id, now);
        if (changed) await this.matching.announce(MatchingCompletedEvent, id);
        return changed;
      },
    );
  }

  /**
   * One REVIEW_REMINDER to the traveller REVIEW_REMINDER_AFTER after completion when no
   * review exists yet, while reviews are still accepted.
   */
  private async remindReviews(now: Date): Promise<number> {
    const completedBefore = new Date(now.getTime() - this.rules.reviewReminderAfterSeconds * 1000);
    const windowOpenSince = new Date(now.getTime() - this.rules.reviewWindowSeconds * 1000);
    return this.rounds(
      () => this.requests.dueReviewReminders(completedBefore, windowOpenSince, BATCH),
      async (id) => {
        const marked = await runInTransaction(this.dataSource, (m) =>
          this.requests.markReviewReminded(m, id, now),
        );
        if (marked) await this.matching.announce(MatchingReviewReminderEvent, id);
        return marked;
      },
    );
  }

  /** Takes due ids and acts on each until a round finds nothing left that changed. */
  private async rounds(
    due: () => Promise<number[]>,
    act: (id: number) => Promise<boolean>,
  ): Promise<number> {
    let changed = 0;
    for (;;) {
      const ids = await due();
      let round = 0;
      for (const id of ids) if (await act(id)) round += 1;
      changed += round;
      // a full round that changed nothing: what is left is another instance's doing
      if (ids.length < BATCH || round === 0) return changed;
    }
  }
}
