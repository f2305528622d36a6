/**
 * Load generator child process (run through {@link Worker}): autocannon's programmatic API
 * with a fixed number of connections for a fixed time. Requests are taken in turn from a pool
 * shared by all connections (paths and tokens vary per request), so no two connections
 * repeat each other.
 */
import autocannon from 'autocannon';
import { serveWorker } from './processes';

export interface HttpLoadInput {
  url: string;
  connections: number;
  durationSec: number;
  /**
   * Request i goes to `paths[(⌊i / T⌋ + i) % P]` with `tokens[i % T]` as its bearer token
   * (T tokens, P paths): the first T·P requests are all distinct (viewer, path) pairs.
   */
  paths: string[];
  tokens: string[];
}

export interface HttpLoadResult {
  requests: number;
  rps: number;
  latencyP50: number;
  latencyP99: number;
  latencyMean: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSec: number;
}

async function run(input: HttpLoadInput): Promise<HttpLoadResult> {
  let next = 0;
  const { paths, tokens } = input;
  const headers = tokens.map((token) => ({ authorization: `Bearer ${token}` }));
  const result = await autocannon({
    url: input.url,
    connections: input.connections,
    duration: input.durationSec,
    timeout: 30,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const i = next++;
          const t = i % tokens.length;
          request.path = paths[(Math.floor(i / tokens.length) + t) % paths.length];
          request.headers = headers[t];
          return request;
        },
      },
    ],
  });
  const total = result.requests.total;
  return {
    requests: total,
    rps: total / result.duration,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    latencyMean: result.latency.mean,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSec: result.duration,
  };
}

if (require.main === module) serveWorker({ run });
