/**
 * The job seam: slow or fallible work (media processing, later push delivery and the
 * lifecycle schedule) runs as a job, never inside the request. A domain module defines its
 * jobs, registers one handler each at start, and enqueues runs; which runner executes them
 * (in this process, or a Redis-backed queue shared by workers) is decided here, not there.
 *
 * Handlers must be idempotent: a run may happen twice (a retry after a crash, or a run
 * found again from the database at start), so each one checks the state it acts on.
 */

/** A named kind of job with its payload type. Define one per job with {@link defineJob}. */
export interface JobDefinition<T> {
  readonly name: string;
  /** Carries the payload type only; never set. */
  readonly payloadType?: T;
}

export function defineJob<T>(name: string): JobDefinition<T> {
  return { name };
}

export type JobHandler<T> = (payload: T) => Promise<void>;

export interface JobHandlerOptions {
  /** Runs before the job counts as failed (first run included). Default 3. */
  attempts?: number;
  /** Delay before the first retry; doubled for each further one. Default 1000 ms. */
  backoffMs?: number;
}

export interface EnqueueOptions {
  /**
   * Identifies the work: while a run with the same key is waiting, enqueueing it again adds
   * nothing (the same video found twice at start is processed once).
   */
  key?: string;
}

export abstract class JobQueue {
  /** Registers the handler of `job`; call once per job, when the module starts. */
  abstract register<T>(
    job: JobDefinition<T>,
    handler: JobHandler<T>,
    options?: JobHandlerOptions,
  ): void;

  /** Queues a run. Resolves once the run is queued (not when it has run). */
  abstract enqueue<T>(job: JobDefinition<T>, payload: T, options?: EnqueueOptions): Promise<void>;
}
