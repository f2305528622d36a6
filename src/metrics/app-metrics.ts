import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { poolUse } from '../database/bounded-pool';
import { sqliteTransactionUse } from '../database/transaction';
import { JobQueue } from '../jobs/job-queue';
import { RealtimeService } from '../realtime/realtime.service';

/** The `route` of requests no route answered (404s, requests refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';
/**
 * Paths served by middleware rather than routes: published media (files, or the redirect to
 * the bucket) and Swagger UI's own files.
 */
const STATIC_PREFIXES: [prefix: string, route: string][] = [
  ['/uploads/', '/uploads/*'],
  ['/docs/', '/docs/*'],
];

/** Longest a scrape waits for Redis for the job counts. */
const JOB_COUNTS_TIMEOUT_MS = 1000;
const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * The route template of a request (`/api/v1/stories/:id`, never the id itself), so the
 * label's values are as few as the routes. Express sets `req.route` on the route that
 * answered; everything else gets a fixed label.
 */
export function routeLabel(req: Request): string {
  const path = (req as { route?: { path?: unknown } }).route?.path;
  if (typeof path === 'string') return path;
  const url = req.originalUrl;
  for (const [prefix, route] of STATIC_PREFIXES) if (url.startsWith(prefix)) return route;
  return UNMATCHED_ROUTE;
}

/**
 * The Prometheus metrics of one app instance, on a registry of its own (never prom-client's
 * global one, so several apps in one process do not clash). With METRICS_ENABLED off nothing
 * is created and every method does nothing.
 *
 * Counted as things happen: HTTP request durations (one observation per request, from the
 * request log's hook) and stored chat messages. Read at scrape time (`collect`): sockets,
 * job queues and the database pool, so nothing polls in between.
 */
@Injectable()
export class AppMetrics {
  /** Null when metrics are off. */
  readonly registry: Registry | null;
  private readonly requestDuration: Histogram<'method' | 'route' | 'status'> | null = null;
  private readonly chatMessages: Counter | null = null;

  constructor(
    @InjectConfig() config: AppConfig,
    realtime: RealtimeService,
    jobs: JobQueue,
    @InjectDataSource() dataSource: DataSource,
  ) {
    // a worker serves no HTTP, so nobody would scrape it
    if (!config.metrics.enabled || config.processRole === 'worker') {
      this.registry = null;
      return;
    }
    const registry = (this.registry = new Registry());
    collectDefaultMetrics({ register: registry });

    this.requestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route template and status (aborted: the client left first)',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.chatMessages = new Counter({
      name: 'storybook_chat_messages_total',
      help: 'Chat messages stored by this instance (REST and sockets; retries not counted)',
      registers: [registry],
    });

    new Gauge({
      name: 'storybook_socket_connections',
      help: 'Socket.IO connections to this instance, by namespace',
      labelNames: ['namespace'],
      registers: [registry],
      collect() {
        this.set({ namespace: '/chat' }, realtime.localSocketCount());
      },
    });

    new Gauge({
      name: 'storybook_job_queue_jobs',
      help:
        'Jobs per queue and state (failed: out of retries, the dead letter); BullMQ: the ' +
        "shared queues in Redis, absent when Redis does not answer; in-process: this process's",
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        const counts = await jobs.counts(JOB_COUNTS_TIMEOUT_MS).catch(() => null);
        if (!counts) return;
        for (const queue of counts) {
          for (const state of JOB_STATES) this.set({ queue: queue.queue, state }, queue[state]);
        }
      },
    });

    const isSqlite = dataSource.options.type === 'better-sqlite3';
    new Gauge({
      name: 'storybook_db_pool_connections',
      help:
        'Database connections by state: used, idle, max (MySQL/MariaDB pool; SQLite: its one ' +
        'connection, used while a transaction runs)',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const use = isSqlite ? sqliteAsPool(dataSource) : poolUse(dataSource);
        if (!use) return;
        this.set({ state: 'used' }, use.used);
        this.set({ state: 'idle' }, use.idle);
        this.set({ state: 'max' }, use.max);
      },
    });
    new Gauge({
      name: 'storybook_db_pool_queued',
      help: 'Callers waiting for a database connection (SQLite: transactions waiting their turn)',
      registers: [registry],
      collect() {
        const use = isSqlite ? sqliteAsPool(dataSource) : poolUse(dataSource);
        if (use) this.set(use.queued);
      },
    });
  }

  /** The request log's hook: called once per request when its response ends. */
  readonly observeRequest = (req: Request, status: number | null, seconds: number): void => {
    this.requestDuration?.observe(
      { method: req.method, route: routeLabel(req), status: status === null ? 'aborted' : status },
      seconds,
    );
  };

  /** A chat message was stored (not a retry answered with the first one). */
  chatMessageStored(): void {
    this.chatMessages?.inc();
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const registry = this.registry as Registry;
    return { contentType: registry.contentType, body: await registry.metrics() };
  }
}

function sqliteAsPool(dataSource: DataSource) {
  const { running, queued } = sqliteTransactionUse(dataSource);
  return { max: 1, used: running, idle: 1 - running, queued };
}
