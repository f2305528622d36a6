/**
 * The Markdown report of one benchmark run: overwrites docs/benchmarks/<name>.md with the
 * date, the machine, the command, the load average, a table per measurement and every raw run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './common';
import { loadAverage, machineLines } from './machine';

export interface Table {
  headers: string[];
  rows: (string | number)[][];
}

function markdownTable({ headers, rows }: Table): string {
  const cell = (value: string | number) => String(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${headers.map(cell).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

export class Report {
  private readonly startedAt = new Date();
  private readonly loadBefore = loadAverage();
  private readonly intro: string[] = [];
  private readonly results: string[] = [];
  private readonly rawRuns: string[] = [];
  private readonly extra: string[] = [];

  constructor(
    readonly name: string,
    readonly title: string,
    readonly command: string,
  ) {}

  /** Paragraphs under the title: what is compared, and how. */
  describe(...paragraphs: string[]): void {
    this.intro.push(...paragraphs);
  }

  /** A results table with optional notes below it. */
  measurement(title: string, table: Table, notes: string[] = []): void {
    this.results.push(
      `### ${title}`,
      '',
      markdownTable(table),
      '',
      ...notes.flatMap((n) => [n, '']),
    );
  }

  /** Every run of a measurement, in the order they ran. */
  raw(title: string, table: Table): void {
    this.rawRuns.push(`### ${title}`, '', markdownTable(table), '');
  }

  /** A free section after the raw runs (e.g. a CPU profile). */
  section(title: string, markdown: string): void {
    this.extra.push(`## ${title}`, '', markdown.trimEnd(), '');
  }

  async write(): Promise<string> {
    const machine = await machineLines();
    const lines = [
      `# ${this.title}`,
      '',
      ...this.intro.flatMap((p) => [p, '']),
      `- Date: ${this.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')}`,
      `- Command: \`${this.command}\``,
      ...machine.map((line) => `- ${line}`),
      `- Load average (1 / 5 / 15 min): ${this.loadBefore} at the start, ${loadAverage()} at the end`,
      '',
      '## Results',
      '',
      ...this.results,
      '## Raw runs',
      '',
      ...this.rawRuns,
      ...this.extra,
    ];
    const dir = join(ROOT, 'docs', 'benchmarks');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${this.name}.md`);
    writeFileSync(
      path,
      `${lines
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trimEnd()}\n`,
    );
    return path;
  }
}
