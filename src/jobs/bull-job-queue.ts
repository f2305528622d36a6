import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Job, JobsOptions, JobType, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { DomainException } from '../common/errors/domain.exception';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { decodeJobCursor, encodeJobCursor } from './job-cursor';
import {
  DEFAULT_JOB_OPTIONS,
  EnqueueOptions,
  JOB_QUEUE_NAMES,
  JobDefinition,
  JobHandler,
  JobHandlerOptions,
  JobPage,
  JobQueue,
  JobQueueCounts,
  JobQueueHealth,
  JobQueueName,
  JobRecord,
  JobState,
  ScheduleOptions,
} from './job-queue';

interface Registered {
  handler: JobHandler<unknown>;
  attempts: number;
  backoffMs: number;
}

/** A run or a schedule that Redis has not taken yet (it did not answer). */
type Pending =
  | { kind: 'add'; queue: JobQueueName; name: string; payload: unknown; opts: JobsOptions }
  | { kind: 'schedule'; job: JobDefinition<unknown>; everyMs: number; payload: unknown };

/** How long an enqueue may wait for Redis before the run is kept here for later. */
const ENQUEUE_TIMEOUT_MS = 2000;
/** How often what Redis did not take is offered again. */
const FLUSH_INTERVAL_MS = 2000;
/** Runs kept in memory while Redis is away; past this the oldest are dropped (logged). */
const MAX_PENDING = 10_000;
/** Finished jobs kept in Redis for the admin view (and for `key` de-duplication). */
const KEEP_COMPLETED = { age: 24 * 3600, count: 1000 };
const KEEP_FAILED = { age: 14 * 24 * 3600, count: 10_000 };

const BULL_STATE: Record<JobState, JobType> = {
  waiting: 'wait',
  active: 'active',
  delayed: 'delayed',
  failed: 'failed',
  completed: 'completed',
};

function fromBullState(state: string): JobState {
  if (state === 'wait' || state === 'waiting' || state === 'prioritized') return 'waiting';
  if (state === 'active' || state === 'delayed' || state === 'failed' || state === 'completed') {
    return state;
  }
  return 'waiting';
}

/** ioredis options from a redis:// or rediss:// URL. */
export function redisOptions(url: string): RedisOptions {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(Number.isInteger(db) ? { db } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** The job id of a keyed run: the same work is the same job in every process. */
export function keyedJobId(name: string, key: string): string {
  // BullMQ refuses ':' in custom ids (its key separator)
  return `${name}.${key.replace(/:/g, '.')}`;
}

/** Rejects when `promise` has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer from Redis in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Jobs on Redis with BullMQ (REDIS_URL set): one BullMQ queue per {@link JobQueueName}, keys
 * under REDIS_KEY_PREFIX. Every process registers the handlers and can enqueue; processes
 * whose PROCESS_ROLE is `all` or `worker` also run them (a BullMQ Worker per queue that has
 * handlers, JOB_CONCURRENCY runs at once each).
 *
 * - Retries: `attempts` runs with exponential backoff from `backoffMs`, then the job stays in
 *   the failed set with its error (the dead letter) for 14 days: GET /admin/jobs?state=failed,
 *   POST /admin/jobs/:id/retry.
 * - A worker killed mid-run loses its lock; BullMQ's stalled check hands the job to another
 *   worker (handlers are idempotent).
 * - Keyed runs use the key as job id, so the same work enqueued by several processes (the
 *   start-up recovery of every instance) is one job.
 * - Schedules are BullMQ job schedulers with the job's name as id: however many processes
 *   upsert one, each tick makes one job.
 * - Redis away: enqueue does not fail its caller; the run waits in memory and is offered
 *   again every 2 s. The domains' start-up recovery covers a process that stops meanwhile.
 */
@Injectable()
export class BullJobQueue
  extends JobQueue
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<string, Registered>();
  /** Which queue each registered job is on (from its definition). */
  private readonly jobQueues = new Map<string, JobQueueName>();
  private readonly queues = new Map<JobQueueName, Queue>();
  private readonly workers = new Map<JobQueueName, Worker>();
  private readonly schedules: Pending[] = [];
  private pending: Pending[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly lastWarned = new Map<string, number>();
  private flushing = false;
  /** Handlers running in this process now. */
  private running = 0;
  private started = false;
  private stopped = false;
  /** The queues are closed: nothing reaches Redis any more. */
  private closed = false;
  private readonly runsJobs: boolean;
  private readonly base: RedisOptions;

  constructor(@InjectConfig() private readonly config: AppConfig) {
    super();
    if (!config.redisUrl) throw new Error('BullJobQueue needs REDIS_URL');
    this.base = redisOptions(config.redisUrl);
    this.runsJobs = config.processRole !== 'api';
  }

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
    this.jobQueues.set(job.name, job.queue);
    if (this.started) this.startWorker(job.queue);
  }

  async enqueue<T>(job: JobDefinition<T>, payload: T, options: EnqueueOptions = {}): Promise<void> {
    // while the workers stop, runs they finish and requests still draining may still queue
    // work (a push, a retry): Redis keeps it for another worker or the next start
    if (this.closed) {
      this.logger.warn(`${job.name} not queued: the process is ending`);
      return;
    }
    const add: Pending = {
      kind: 'add',
      queue: job.queue,
      name: job.name,
      payload,
      opts: {
        ...this.runOptions(job.name),
        ...(options.key !== undefined ? { jobId: keyedJobId(job.name, options.key) } : {}),
        ...(options.delayMs !== undefined && options.delayMs > 0 ? { delay: options.delayMs } : {}),
      },
    };
    // Redis is known to be away: keep the order, do not wait for it again
    if (this.pending.length > 0) return this.keep(add, null);
    try {
      await this.apply(add);
    } catch (error) {
      this.keep(add, error);
    }
  }

  schedule<T>(job: JobDefinition<T>, options: ScheduleOptions, payload: T): void {
    const schedule: Pending = {
      kind: 'schedule',
      job: job as JobDefinition<unknown>,
      everyMs: options.everyMs,
      payload,
    };
    this.schedules.push(schedule);
    if (this.started) this.keep(schedule, null);
  }

  async list(state: JobState, limit: number, cursor?: string): Promise<JobPage> {
    let [queueIndex, offset] = cursor ? decodeJobCursor(cursor) : [0, 0];
    const found: { queueIndex: number; offset: number; job: Job }[] = [];
    // one more than asked: it only says whether there is a next page
    while (queueIndex < JOB_QUEUE_NAMES.length && found.length <= limit) {
      const wanted = limit + 1 - found.length;
      const jobs = await within(
        this.queue(JOB_QUEUE_NAMES[queueIndex]).getJobs(
          [BULL_STATE[state]],
          offset,
          offset + wanted - 1,
          true,
        ),
        3000,
        'list jobs',
      );
      for (const job of jobs) {
        if (job) found.push({ queueIndex, offset, job: job as Job });
        offset += 1;
      }
      if (jobs.length < wanted) {
        queueIndex += 1;
        offset = 0;
      }
    }
    const page = found.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(({ queueIndex: q, job }) => toRecord(JOB_QUEUE_NAMES[q], job, state)),
      nextCursor:
        found.length > limit && last ? encodeJobCursor([last.queueIndex, last.offset + 1]) : null,
    };
  }

  async retry(id: string): Promise<JobRecord | null> {
    const separator = id.indexOf(':');
    const queueName = id.slice(0, separator) as JobQueueName;
    if (separator < 1 || !JOB_QUEUE_NAMES.includes(queueName)) return null;
    const queue = this.queue(queueName);
    const job = (await within(queue.getJob(id.slice(separator + 1)), 3000, 'get job')) as
      Job | undefined;
    if (!job) return null;
    const state = await job.getState();
    if (state !== 'failed') {
      throw new DomainException(
        'CONFLICT',
        `Job ${id} is ${fromBullState(state)}; only failed jobs retry`,
      );
    }
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    const now = (await queue.getJob(job.id as string)) as Job | undefined;
    return toRecord(queueName, now ?? job, fromBullState(now ? await now.getState() : 'wait'));
  }

  /** Counts of every queue, read within `timeoutMs` over the queues' own connections. */
  async health(timeoutMs: number): Promise<JobQueueHealth> {
    try {
      const counts = await within(
        Promise.all(JOB_QUEUE_NAMES.map((name) => this.queue(name).getJobCounts('wait', 'failed'))),
        timeoutMs,
        'job counts',
      );
      return {
        driver: 'bullmq',
        up: true,
        waiting: counts.reduce((sum, c) => sum + (c.wait ?? 0), 0),
        failed: counts.reduce((sum, c) => sum + (c.failed ?? 0), 0),
      };
    } catch (error) {
      const message = (error as Error).message.includes('no answer') ? 'timeout' : 'unavailable';
      return { driver: 'bullmq', up: false, message };
    }
  }

  async counts(timeoutMs: number): Promise<JobQueueCounts[]> {
    const counts = await within(
      Promise.all(
        JOB_QUEUE_NAMES.map((name) =>
          this.queue(name).getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed'),
        ),
      ),
      timeoutMs,
      'job counts',
    );
    return JOB_QUEUE_NAMES.map((queue, i) => ({
      queue,
      waiting: (counts[i].wait ?? 0) + (counts[i].prioritized ?? 0),
      active: counts[i].active ?? 0,
      delayed: counts[i].delayed ?? 0,
      failed: counts[i].failed ?? 0,
    }));
  }

  onApplicationBootstrap(): void {
    this.started = true;
    for (const schedule of this.schedules) this.keep(schedule, null);
    if (!this.runsJobs) return;
    for (const queue of new Set(this.jobQueues.values())) this.startWorker(queue);
  }

  /** Workers stop taking jobs and finish (within the shutdown bound) those they run. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    // running handlers get until the shutdown bound; an idle worker (or one that never
    // reached Redis) has nothing to finish and is closed at once
    const busy = this.running > 0;
    const bound = busy ? this.config.http.shutdownTimeoutMs : 1000;
    await Promise.all(
      [...this.workers.values()].map(async (worker) => {
        try {
          await within(worker.close(!busy), bound, 'worker close');
        } catch {
          // a run that did not finish in time is cut: its lock expires and another worker (or
          // the next start's recovery) runs it again
          await within(worker.disconnect(), 1000, 'worker disconnect').catch(() => undefined);
        }
      }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = null;
    // schedules are made again at every start; runs kept here are not (video processing is
    // found again from its rows, a push or a deferred delete is lost)
    const dropped = this.pending.flatMap((p) => (p.kind === 'add' ? [p.name] : []));
    if (dropped.length > 0) {
      this.logger.warn(
        `${dropped.length} run(s) never reached Redis (Redis away) and are dropped: ` +
          dropped.join(', '),
      );
    }
    await Promise.all(
      [...this.queues.values()].map(async (queue) => {
        // a queue whose link is still being built (Redis was away) may never finish closing:
        // after a second, drop it, and after one more give up on it (the process is ending)
        await within(queue.close(), 1000, 'queue close')
          .catch(() => within(queue.disconnect(), 1000, 'queue disconnect'))
          .catch((error: Error) => this.logger.warn(error.message));
      }),
    );
  }

  private runOptions(name: string): JobsOptions {
    const registered = this.handlers.get(name);
    return {
      attempts: registered?.attempts ?? DEFAULT_JOB_OPTIONS.attempts,
      backoff: {
        type: 'exponential',
        delay: registered?.backoffMs ?? DEFAULT_JOB_OPTIONS.backoffMs,
      },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
    };
  }

  private queue(name: JobQueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        prefix: this.config.redisKeyPrefix,
        connection: {
          ...this.base,
          // a Redis that is away fails an add at once (it is kept here), rather than queueing
          // it in the client; a Redis that stalls drops the link so it is built anew
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          socketTimeout: 3000,
          retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
        },
      });
      queue.on('error', (error: Error) => this.connectionTrouble(`Queue ${name}`, error));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private startWorker(name: JobQueueName): void {
    if (!this.runsJobs || this.stopped || this.workers.has(name)) return;
    const worker = new Worker(name, (job: Job) => this.run(job), {
      prefix: this.config.redisKeyPrefix,
      concurrency: this.config.jobs.concurrency,
      connection: {
        ...this.base,
        maxRetriesPerRequest: null,
        // no socketTimeout here: ioredis leaves its timer running after a disconnect that
        // interrupts the blocking wait for the next job, holding the process open for as long
        retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
      },
    });
    worker.on('error', (error: Error) => this.connectionTrouble(`Worker ${name}`, error));
    worker.on('failed', (job: Job | undefined, error: Error) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1);
      const what = `Job ${job.name} (${name}:${job.id}) failed, attempt ${job.attemptsMade}`;
      if (final) this.logger.error(`${what}, no retry left: ${error.message}`);
      else this.logger.warn(`${what}, will retry: ${error.message}`);
    });
    this.workers.set(name, worker);
  }

  /** Connection errors repeat at every reconnect attempt: one line a minute per source. */
  private connectionTrouble(source: string, error: Error): void {
    const now = Date.now();
    if (now - (this.lastWarned.get(source) ?? 0) < 60_000) return;
    this.lastWarned.set(source, now);
    this.logger.warn(`${source}: ${error.message} (reconnecting; said once a minute)`);
  }

  private async run(job: Job): Promise<void> {
    const registered = this.handlers.get(job.name);
    if (!registered) throw new UnrecoverableError(`No handler for job ${job.name}`);
    this.running += 1;
    try {
      await registered.handler(job.data);
    } finally {
      this.running -= 1;
    }
  }

  private async apply(item: Pending): Promise<void> {
    if (item.kind === 'add') {
      await within(
        this.queue(item.queue).add(item.name, item.payload, item.opts),
        ENQUEUE_TIMEOUT_MS,
        'enqueue',
      );
      return;
    }
    const { job, everyMs, payload } = item;
    const { attempts, backoff, removeOnComplete, removeOnFail } = this.runOptions(job.name);
    await within(
      this.queue(job.queue).upsertJobScheduler(
        job.name,
        { every: everyMs },
        {
          name: job.name,
          data: payload,
          opts: { attempts, backoff, removeOnComplete, removeOnFail },
        },
      ),
      ENQUEUE_TIMEOUT_MS,
      'schedule',
    );
  }

  /** Keeps what Redis did not take, and offers it again until it does. */
  private keep(item: Pending, error: unknown): void {
    if (error !== null) {
      this.logger.warn(
        `Redis did not take ${item.kind === 'add' ? `a ${item.name} job` : `the ${item.job.name} schedule`}` +
          ` (${(error as Error).message}); kept here and offered again`,
      );
    }
    this.pending.push(item);
    if (this.pending.length > MAX_PENDING) {
      const dropped = this.pending.shift();
      if (dropped?.kind === 'add')
        this.logger.error(`Dropped a ${dropped.name} job: too many waiting for Redis`);
    }
    if (!this.flushTimer && !this.closed) {
      this.flushTimer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
      this.flushTimer.unref();
      void this.flush();
    }
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0 && !this.closed) {
        await this.apply(this.pending[0]);
        this.pending.shift();
      }
      if (this.flushTimer) clearInterval(this.flushTimer);
      this.flushTimer = null;
    } catch {
      // still away; the next interval tries again
    } finally {
      this.flushing = false;
    }
  }
}

function toRecord(queue: JobQueueName, job: Job, state: JobState): JobRecord {
  return {
    id: `${queue}:${job.id}`,
    name: job.name,
    queue,
    state,
    attempts: job.attemptsStarted || job.attemptsMade || 0,
    failedReason: job.failedReason ? job.failedReason : null,
    data: job.data,
    createdAt: new Date(job.timestamp),
    finishedAt: job.finishedOn ? new Date(job.finishedOn) : null,
  };
}
