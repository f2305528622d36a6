/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time per function and per package or
 * file, as Markdown tables. Also runnable on its own:
 *
 *   npx ts-node --transpile-only bench/lib/cpu-profile.ts <file.cpuprofile> [top]
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './common';
import { fmt } from './stats';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where code lives, short: a package, an app file, a Node internal, or a V8 pseudo frame. */
export function placeOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const parts = path.slice(nm + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (path.startsWith('node:')) return path;
  const rel = path.startsWith(ROOT) ? path.slice(ROOT.length + 1) : path;
  return rel.replace(/^dist\//, '');
}

function shortFile(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) return path.slice(nm + '/node_modules/'.length);
  return path.startsWith(ROOT) ? path.slice(ROOT.length + 1).replace(/^dist\//, '') : path;
}

export interface ProfileSummary {
  sampledMs: number;
  busyMs: number;
  functions: { name: string; where: string; selfMs: number; share: number }[];
  places: { place: string; selfMs: number; share: number }[];
}

/** Now on the clock V8 stamps profiles with (CLOCK_MONOTONIC, µs), the same in every process. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Self times from `file`; with `window` ({@link monotonicMicros} values taken around the load)
 * only the samples taken inside it, so start-up and idle time before and after are left out.
 */
export function summariseProfile(
  file: string,
  top = 15,
  window?: { from: number; to: number },
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += timeDeltas[i];
    if (window && (at < window.from || at > window.to)) continue;
    // a sample's time is the gap until the next one (the last gets the mean gap)
    const dt = timeDeltas[i + 1] ?? (profile.endTime - profile.startTime) / samples.length;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt));
  }
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  /** For a native frame: the nearest caller outside Node's own code (who asked for it). */
  const callerOf = (id: number): string => {
    for (let p = parentOf.get(id); p !== undefined; p = parentOf.get(p)) {
      const { url, lineNumber } = (byId.get(p) as ProfileNode).callFrame;
      if (url && !url.startsWith('node:')) return `${shortFile(url)}:${lineNumber + 1}`;
    }
    return '';
  };
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const places = new Map<string, number>();
  let sampledUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = (byId.get(id) as ProfileNode).callFrame;
    sampledUs += us;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const name = functionName || '(anonymous)';
    const caller = url || functionName.startsWith('(') ? '' : callerOf(id);
    const where = url
      ? `${shortFile(url)}:${lineNumber + 1}`
      : caller
        ? `native, from ${caller}`
        : '';
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const place = placeOf(url, functionName);
    places.set(place, (places.get(place) ?? 0) + us);
  }
  const busyUs = sampledUs - idleUs;
  return {
    sampledMs: sampledUs / 1000,
    busyMs: busyUs / 1000,
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, selfMs: f.us / 1000, share: f.us / busyUs })),
    places: [...places]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([place, us]) => ({ place, selfMs: us / 1000, share: us / busyUs })),
  };
}

export function profileMarkdown(summary: ProfileSummary): string {
  const pct = (share: number) => `${fmt(share * 100, 1)} %`;
  return [
    `Sampled ${fmt(summary.sampledMs / 1000, 1)} s of the server's main thread, busy ${fmt(summary.busyMs / 1000, 1)} s ` +
      `(${pct(summary.busyMs / summary.sampledMs)}); shares are of the busy time. Self time only ` +
      '(time in the function itself, not in what it calls).',
    '',
    '| # | Function | Where | Self ms | Share |',
    '| --- | --- | --- | --- | --- |',
    ...summary.functions.map(
      (f, i) =>
        `| ${i + 1} | \`${f.name.replace(/\|/g, '\\|')}\` | ${f.where || '–'} | ${fmt(f.selfMs)} | ${pct(f.share)} |`,
    ),
    '',
    'By package or file:',
    '',
    '| # | Package / file | Self ms | Share |',
    '| --- | --- | --- | --- |',
    ...summary.places.map(
      (p, i) => `| ${i + 1} | ${p.place} | ${fmt(p.selfMs)} | ${pct(p.share)} |`,
    ),
  ].join('\n');
}

/**
 * The one .cpuprofile a process wrote into `dir`. With BENCH_PROFILE_DIR set, a copy named
 * `<label>.cpuprofile` is kept there (open it in Chrome DevTools or speedscope).
 */
export function profileIn(dir: string, label: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length !== 1) {
    throw new Error(`expected one .cpuprofile in ${dir}, found ${files.length}`);
  }
  const file = join(dir, files[0]);
  const keep = process.env.BENCH_PROFILE_DIR;
  if (keep) {
    mkdirSync(keep, { recursive: true });
    copyFileSync(file, join(keep, `${label}.cpuprofile`));
  }
  return file;
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpu-profile.ts <file.cpuprofile> [top]');
  process.stdout.write(`${profileMarkdown(summariseProfile(file, Number(top ?? 15)))}\n`);
}
