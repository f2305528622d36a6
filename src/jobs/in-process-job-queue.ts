import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DomainException } from '../common/errors/domain.exception';
import {
  DEFAULT_JOB_OPTIONS,
  EnqueueOptions,
  JobDefinition,
  JobHandler,
  JobHandlerOptions,
  JobPage,
  JobQueue,
  JOB_QUEUE_NAMES,
  JobQueueCounts,
  JobQueueHealth,
  JobQueueName,
  JobRecord,
  JobState,
  ScheduleOptions,
} from './job-queue';
import { decodeJobCursor, encodeJobCursor } from './job-cursor';

interface Registered {
  handler: JobHandler<unknown>;
  attempts: number;
  backoffMs: number;
}

interface Run {
  id: string;
  name: string;
  queue: JobQueueName;
  payload: unknown;
  key: string | null;
  state: JobState;
  /** Runs started so far. */
  attempts: number;
  failedReason: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** Jobs running at once; the work inside (sharp, ffmpeg) has its own, tighter bound. */
const CONCURRENCY = 4;
/** Finished runs kept for GET /admin/jobs (oldest dropped first). */
const KEEP_COMPLETED = 200;
const KEEP_FAILED = 500;

/**
 * The embedded runner: jobs run in this process, a few at a time, with retries and backoff.
 * Nothing is persisted here, so every domain finds its unfinished work again from its own
 * rows at start (e.g. media still `processing`) and enqueues it anew. The last runs (and the
 * failed ones, with their error) are kept in memory for the admin view, until the process
 * stops.
 *
 * Runs start once the application has bootstrapped (every handler registered). On shutdown
 * no new run starts; running ones get until the shutdown deadline, and whatever is cut is
 * found again at the next start.
 */
@Injectable()
export class InProcessJobQueue
  extends JobQueue
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<string, Registered>();
  /** Every known run, in creation order (a Map keeps it). */
  private readonly runs = new Map<string, Run>();
  private readonly waiting: Run[] = [];
  /** Keys of runs waiting or running. */
  private readonly liveKeys = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly schedules: { job: JobDefinition<unknown>; everyMs: number; payload: unknown }[] =
    [];
  private nextId = 1;
  private started = false;
  private stopped = false;

  register<T>(
    job: JobDefinition<T>,
    handler: JobHandler<T>,
    options: JobHandlerOptions = {},
  ): void {
    if (this.handlers.has(job.name)) throw new Error(`Job ${job.name} is registered twice`);
    this.handlers.set(job.name, {
      handler: handler as JobHandler<unknown>,
      attempts: options.attempts ?? DEFAULT_JOB_OPTIONS.attempts,
      backoffMs: options.backoffMs ?? DEFAULT_JOB_OPTIONS.backoffMs,
    });
  }

  async enqueue<T>(job: JobDefinition<T>, payload: T, options: EnqueueOptions = {}): Promise<void> {
    const key = options.key === undefined ? null : `${job.name}:${options.key}`;
    if (key !== null && this.liveKeys.has(key)) return;
    if (this.stopped) {
      // in-process runs end with the process; say what is lost
      this.logger.warn(`${job.name} not run: the process is ending`);
      return;
    }
    const run: Run = {
      id: `${job.queue}:${this.nextId++}`,
      name: job.name,
      queue: job.queue,
      payload,
      key,
      state: 'waiting',
      attempts: 0,
      failedReason: null,
      createdAt: new Date(),
      finishedAt: null,
    };
    this.runs.set(run.id, run);
    const delayMs = options.delayMs ?? 0;
    if (delayMs <= 0) {
      this.push(run);
      return;
    }
    run.state = 'delayed';
    if (key !== null) this.liveKeys.add(key);
    this.later(run, delayMs);
  }

  schedule<T>(job: JobDefinition<T>, options: ScheduleOptions, payload: T): void {
    this.schedules.push({ job: job as JobDefinition<unknown>, everyMs: options.everyMs, payload });
    if (this.started) this.startSchedule(this.schedules[this.schedules.length - 1]);
  }

  async list(state: JobState, limit: number, cursor?: string): Promise<JobPage> {
    const offset = cursor ? decodeJobCursor(cursor)[1] : 0;
    const matching = [...this.runs.values()].filter((run) => run.state === state);
    const items = matching.slice(offset, offset + limit).map(toRecord);
    const next = offset + items.length;
    return { items, nextCursor: next < matching.length ? encodeJobCursor([0, next]) : null };
  }

  async retry(id: string): Promise<JobRecord | null> {
    const run = this.runs.get(id);
    if (!run) return null;
    if (run.state !== 'failed') {
      throw new DomainException('CONFLICT', `Job ${id} is ${run.state}; only failed jobs retry`);
    }
    run.attempts = 0;
    run.failedReason = null;
    run.finishedAt = null;
    run.state = 'waiting';
    // the same record moves back to the end, as a new run would be
    this.runs.delete(id);
    this.runs.set(id, run);
    this.push(run);
    return toRecord(run);
  }

  async health(): Promise<JobQueueHealth> {
    let waiting = 0;
    let failed = 0;
    for (const run of this.runs.values()) {
      if (run.state === 'waiting') waiting += 1;
      else if (run.state === 'failed') failed += 1;
    }
    return { driver: 'in-process', up: !this.stopped, waiting, failed };
  }

  async counts(): Promise<JobQueueCounts[]> {
    const byQueue = new Map<JobQueueName, JobQueueCounts>(
      JOB_QUEUE_NAMES.map((queue) => [
        queue,
        { queue, waiting: 0, active: 0, delayed: 0, failed: 0 },
      ]),
    );
    for (const run of this.runs.values()) {
      if (run.state !== 'completed') (byQueue.get(run.queue) as JobQueueCounts)[run.state] += 1;
    }
    return [...byQueue.values()];
  }

  onApplicationBootstrap(): void {
    this.started = true;
    for (const schedule of this.schedules) this.startSchedule(schedule);
    this.drain();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) {
      clearTimeout(timer);
      clearInterval(timer);
    }
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  private startSchedule(schedule: {
    job: JobDefinition<unknown>;
    everyMs: number;
    payload: unknown;
  }): void {
    const tick = () => void this.enqueue(schedule.job, schedule.payload, { key: 'schedule' });
    tick();
    const timer = setInterval(tick, schedule.everyMs);
    timer.unref();
    this.timers.add(timer);
  }

  private push(run: Run): void {
    if (this.stopped) return;
    run.state = 'waiting';
    if (run.key !== null) this.liveKeys.add(run.key);
    this.waiting.push(run);
    this.drain();
  }

  private drain(): void {
    while (this.started && !this.stopped && this.running.size < CONCURRENCY) {
      const run = this.waiting.shift();
      if (!run) return;
      const execution = this.execute(run).finally(() => {
        this.running.delete(execution);
        this.drain();
      });
      this.running.add(execution);
    }
  }

  private async execute(run: Run): Promise<void> {
    const registered = this.handlers.get(run.name);
    run.state = 'active';
    run.attempts += 1;
    try {
      if (!registered) throw new Error(`No handler for job ${run.name}`);
      await registered.handler(run.payload);
      this.finish(run, 'completed', null);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      run.failedReason = message;
      const attempts = registered?.attempts ?? 1;
      if (run.attempts >= attempts) {
        this.logger.error(`Job ${run.name} failed after ${run.attempts} attempts: ${message}`);
        this.finish(run, 'failed', message);
        return;
      }
      const delay = (registered?.backoffMs ?? 0) * 2 ** (run.attempts - 1);
      this.logger.warn(
        `Job ${run.name} failed (attempt ${run.attempts}), retrying in ${delay} ms: ${message}`,
      );
      run.state = 'delayed';
      this.later(run, delay);
    }
  }

  /** Queues `run` after `delayMs` (a retry's backoff, or a delay asked for at enqueue). */
  private later(run: Run, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.push(run);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private finish(run: Run, state: 'completed' | 'failed', reason: string | null): void {
    run.state = state;
    run.failedReason = reason;
    run.finishedAt = new Date();
    if (run.key !== null) this.liveKeys.delete(run.key);
    this.trim(state, state === 'completed' ? KEEP_COMPLETED : KEEP_FAILED);
  }

  private trim(state: JobState, keep: number): void {
    let count = 0;
    for (const run of this.runs.values()) if (run.state === state) count += 1;
    for (const [id, run] of this.runs) {
      if (count <= keep) return;
      if (run.state === state) {
        this.runs.delete(id);
        count -= 1;
      }
    }
  }
}

function toRecord(run: Run): JobRecord {
  return {
    id: run.id,
    name: run.name,
    queue: run.queue,
    state: run.state,
    attempts: run.attempts,
    failedReason: run.failedReason,
    data: run.payload,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
  };
}
