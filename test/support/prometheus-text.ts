/**
 * A strict reader of Prometheus' text exposition format (0.0.4): every line is a `# HELP`, a
 * `# TYPE` or a sample whose name belongs to a declared family, with well-formed labels and
 * a number. Anything else throws, naming the line, so a scrape that Prometheus would refuse
 * fails the test.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = '[a-zA-Z_][a-zA-Z0-9_]*';
// a label value: anything but an unescaped quote, backslash or line feed
const LABEL_VALUE = String.raw`(?:[^"\\\n]|\\["\\n])*`;
const LABEL = new RegExp(`(${LABEL_NAME})="(${LABEL_VALUE})"`, 'g');
const SAMPLE = new RegExp(
  String.raw`^(?<name>${NAME})(?:\{(?<labels>(?:${LABEL_NAME}="${LABEL_VALUE}",?)*)\})? ` +
    String.raw`(?<value>\S+)(?: -?\d+)?$`,
);
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<MetricFamily['type'], string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

function parseValue(text: string, line: string): number {
  // what Go's strconv.ParseFloat takes, as Prometheus reads it: NaN and Inf in any case
  if (/^nan$/i.test(text)) return NaN;
  if (/^[+]?inf(inity)?$/i.test(text)) return Infinity;
  if (/^-inf(inity)?$/i.test(text)) return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    throw new Error(`not a number in: ${line}`);
  }
  return Number(text);
}

function unescape(value: string): string {
  return value.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a line feed');
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      if (!new RegExp(`^${NAME}$`).test(name)) throw new Error(`bad metric name in: ${line}`);
      const family = families.get(name) ?? { name, type: 'untyped', help: '', samples: [] };
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`unknown type in: ${line}`);
        if (family.samples.length > 0) throw new Error(`TYPE after samples in: ${line}`);
        family.type = rest as MetricFamily['type'];
      } else {
        family.help = rest;
      }
      families.set(name, family);
      continue;
    }
    if (line.startsWith('#')) continue; // a comment
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const {
      name,
      labels: labelText = '',
      value: valueText,
    } = match.groups as Record<string, string>;
    const family = [...families.values()].find((f) =>
      SUFFIXES[f.type].some((suffix) => f.name + suffix === name),
    );
    if (!family) throw new Error(`sample of an undeclared metric: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of labelText.matchAll(LABEL)) {
      if (key in labels) throw new Error(`label ${key} twice in: ${line}`);
      labels[key] = unescape(value);
    }
    family.samples.push({ name, labels, value: parseValue(valueText, line) });
  }
  return families;
}

/** The value of the one sample named `name` whose labels include `labels`; undefined if none. */
export function sampleValue(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const matching = [...families.values()]
    .flatMap((family) => family.samples)
    .filter(
      (sample) =>
        sample.name === name &&
        Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  if (matching.length > 1) throw new Error(`${matching.length} samples of ${name} match`);
  return matching[0]?.value;
}
