/**
 * The job seam: slow or fallible work (media processing, push delivery, the lifecycle
 * schedule) runs as a job, never inside the request. A domain module defines its jobs,
 * registers one handler each at start, and enqueues runs or schedules them; which runner
 * executes them (in this process, or the BullMQ queue on Redis shared by worker processes)
 * is decided here, not there.
 *
 * Handlers must be idempotent: a run may happen twice (a retry after a crash, a worker that
 * lost its lock, or a run found again from the database at start), so each one checks the
 * state it acts on.
 */

/** The queues: each one its own BullMQ queue, so a flood of one kind never delays another. */
export const JOB_QUEUE_NAMES = ['media', 'push', 'lifecycle', 'default'] as const;
export type JobQueueName = (typeof JOB_QUEUE_NAMES)[number];

/** A named kind of job with its payload type. Define one per job with {@link defineJob}. */
export interface JobDefinition<T> {
  readonly name: string;
  readonly queue: JobQueueName;
  /** Carries the payload type only; never set. */
  readonly payloadType?: T;
}

const JOB_NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

/** `name` looks like `stories.process-video` (module, dot, job); unique across the service. */
export function defineJob<T>(
  name: string,
  options: { queue?: JobQueueName } = {},
): JobDefinition<T> {
  if (!JOB_NAME.test(name)) throw new Error(`Job name ${JSON.stringify(name)} is not module.job`);
  return { name, queue: options.queue ?? 'default' };
}

export type JobHandler<T> = (payload: T) => Promise<void>;

export interface JobHandlerOptions {
  /** Runs before the job counts as failed (first run included). Default 3. */
  attempts?: number;
  /** Delay before the first retry; doubled for each further one. Default 1000 ms. */
  backoffMs?: number;
}

export const DEFAULT_JOB_OPTIONS: Required<JobHandlerOptions> = { attempts: 3, backoffMs: 1000 };

export interface EnqueueOptions {
  /**
   * Identifies the work, so that it is queued once: enqueueing it again adds nothing while a
   * run with the same key is waiting or running (in-process), or while the job with that key
   * exists in the queue — waiting, running, failed (until an admin retries or it ages out) or
   * completed within the last day (BullMQ, where the key is the job id).
   */
  key?: string;
  /**
   * Runs no sooner than this many milliseconds from now (e.g. a retry that a remote service
   * asked to wait for). In-process, a delayed run is lost when the process stops first.
   */
  delayMs?: number;
}

export interface ScheduleOptions {
  /** A run every this many milliseconds; the first right after start. */
  everyMs: number;
}

export const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
/** `delayed`: waiting for its retry (backoff) or its time; `failed`: out of attempts. */
export type JobState = (typeof JOB_STATES)[number];

/** One run of a job as admins see it (GET /admin/jobs). */
export interface JobRecord {
  /** `<queue>:<id in the queue>`; what POST /admin/jobs/:id/retry takes. */
  id: string;
  name: string;
  queue: JobQueueName;
  state: JobState;
  /** Runs started so far. */
  attempts: number;
  /** The error of the last failed run; null when none failed. */
  failedReason: string | null;
  data: unknown;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface JobPage {
  items: JobRecord[];
  nextCursor: string | null;
}

/** Whether the runner can take and run jobs now (GET /health). */
export interface JobQueueHealth {
  driver: 'in-process' | 'bullmq';
  up: boolean;
  /** Why it is down: a code or a timeout, never a host or a password. */
  message?: string;
  /** Jobs waiting to run, and in the failed state (the dead letter), over all queues. */
  waiting?: number;
  failed?: number;
}

/** The runs of one queue by state (metrics); `failed` is the dead letter. */
export interface JobQueueCounts {
  queue: JobQueueName;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export abstract class JobQueue {
  /** Registers the handler of `job`; call once per job, when the module starts. */
  abstract register<T>(
    job: JobDefinition<T>,
    handler: JobHandler<T>,
    options?: JobHandlerOptions,
  ): void;

  /**
   * Queues a run. Resolves once the run is queued (not when it has run). It does not fail
   * the caller when Redis does not answer: the run is then kept in this process and queued as
   * soon as Redis answers again, so domains keep what must survive a restart in their rows.
   */
  abstract enqueue<T>(job: JobDefinition<T>, payload: T, options?: EnqueueOptions): Promise<void>;

  /**
   * Runs `job` every `options.everyMs` from the start on, exactly once per tick across all
   * instances (a BullMQ job scheduler with the job's name as its id; in-process, a timer).
   * Call it in `onModuleInit`, beside `register`. A tick missed while no worker ran is run
   * once when one runs again; handlers catch up on what became due meanwhile.
   */
  abstract schedule<T>(job: JobDefinition<T>, options: ScheduleOptions, payload: T): void;

  /** Runs in one state, oldest first (stable while runs are added). */
  abstract list(state: JobState, limit: number, cursor?: string): Promise<JobPage>;

  /**
   * Runs a failed job again, with its attempts counted anew. Null when there is no such job;
   * throws a DomainException CONFLICT when it is not in the failed state.
   */
  abstract retry(id: string): Promise<JobRecord | null>;

  abstract health(timeoutMs: number): Promise<JobQueueHealth>;

  /**
   * Runs per queue and state, read within `timeoutMs` (BullMQ: from Redis, so every process
   * sees the same numbers; in-process: this process's runs). Rejects when Redis does not
   * answer in time.
   */
  abstract counts(timeoutMs: number): Promise<JobQueueCounts[]>;
}
