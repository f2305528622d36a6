import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import {
  EnqueueOptions,
  JobDefinition,
  JobHandler,
  JobHandlerOptions,
  JobQueue,
} from './job-queue';

interface Registered {
  handler: JobHandler<unknown>;
  attempts: number;
  backoffMs: number;
}

interface Run {
  name: string;
  payload: unknown;
  key: string | null;
  attempt: number;
}

/** Jobs running at once; the work inside (sharp, ffmpeg) has its own, tighter bound. */
const CONCURRENCY = 4;

/**
 * The embedded runner: jobs run in this process, a few at a time, with retries and backoff.
 * Nothing is persisted here, so every domain finds its unfinished work again from its own
 * rows at start (e.g. media still `processing`) and enqueues it anew.
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
  private readonly waiting: Run[] = [];
  private readonly waitingKeys = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
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
      attempts: options.attempts ?? 3,
      backoffMs: options.backoffMs ?? 1000,
    });
  }

  async enqueue<T>(job: JobDefinition<T>, payload: T, options: EnqueueOptions = {}): Promise<void> {
    const key = options.key === undefined ? null : `${job.name}:${options.key}`;
    if (key !== null && this.waitingKeys.has(key)) return;
    this.push({ name: job.name, payload, key, attempt: 1 });
  }

  onApplicationBootstrap(): void {
    this.started = true;
    this.drain();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    await Promise.allSettled([...this.running]);
  }

  private push(run: Run): void {
    if (this.stopped) return;
    if (run.key !== null) this.waitingKeys.add(run.key);
    this.waiting.push(run);
    this.drain();
  }

  private drain(): void {
    while (this.started && !this.stopped && this.running.size < CONCURRENCY) {
      const run = this.waiting.shift();
      if (!run) return;
      if (run.key !== null) this.waitingKeys.delete(run.key);
      const execution = this.execute(run).finally(() => {
        this.running.delete(execution);
        this.drain();
      });
      this.running.add(execution);
    }
  }

  private async execute(run: Run): Promise<void> {
    const registered = this.handlers.get(run.name);
    if (!registered) {
      this.logger.error(`No handler for job ${run.name}; dropped`);
      return;
    }
    try {
      await registered.handler(run.payload);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (run.attempt >= registered.attempts) {
        this.logger.error(`Job ${run.name} failed after ${run.attempt} attempts: ${message}`);
        return;
      }
      const delay = registered.backoffMs * 2 ** (run.attempt - 1);
      this.logger.warn(
        `Job ${run.name} failed (attempt ${run.attempt}), retrying in ${delay} ms: ${message}`,
      );
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        this.push({ ...run, attempt: run.attempt + 1 });
      }, delay);
      timer.unref();
      this.retryTimers.add(timer);
    }
  }
}
