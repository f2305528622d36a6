import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The module rules of docs/architecture.md, checked on the source (no app needed):
 *
 * - a module never imports another module's `entities/` or `*.repository.ts` (except `import
 *   type`, and entity files declaring foreign keys): every other module goes through the
 *   owner's exported service;
 * - infrastructure (audit, realtime, jobs, media, common, config, database, metrics) imports
 *   no domain module's code;
 * - SQL only in repositories: outside `*.repository.ts` nothing injects a TypeORM repository,
 *   builds a query, runs raw SQL or a statement through an EntityManager;
 * - the Nest module graph has no cycle, and no `forwardRef` is needed anywhere;
 * - events: classes with names live in `<module>.events.ts`, listeners subscribe by those
 *   constants (no string event names), and every event has a listener.
 */

const SRC = resolve(__dirname, '..', 'src');

const INFRASTRUCTURE = new Set([
  'audit',
  'realtime',
  'jobs',
  'media',
  'common',
  'config',
  'database',
  'metrics',
]);

interface SourceFile {
  /** Relative to src/, with forward slashes. */
  path: string;
  module: string;
  text: string;
}

interface Import {
  from: SourceFile;
  /** Resolved, relative to src/ (no extension), or null for packages. */
  target: string | null;
  typeOnly: boolean;
  line: string;
}

function sourceFiles(dir = SRC): SourceFile[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.spec.ts')) return [];
    const path = relative(SRC, full).split('\\').join('/');
    return [
      {
        path,
        module: path.includes('/') ? path.split('/')[0] : '',
        text: readFileSync(full, 'utf8'),
      },
    ];
  });
}

const FILES = sourceFiles();

function importsOf(file: SourceFile): Import[] {
  const found: Import[] = [];
  const pattern = /^(?:import|export)\s+(type\s+)?([^;]*?)\s+from\s+'([^']+)';/gms;
  for (const match of file.text.matchAll(pattern)) {
    const [line, typeKeyword, names, spec] = match;
    const target = spec.startsWith('.')
      ? relative(SRC, resolve(SRC, dirname(file.path), spec))
          .split('\\')
          .join('/')
      : null;
    // `import { type A, type B }` is type-only too
    const specifiers = names
      .replace(/^\{|\}$/g, '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const typeOnly =
      Boolean(typeKeyword) ||
      (names.trim().startsWith('{') &&
        specifiers.length > 0 &&
        specifiers.every((s) => s.startsWith('type ')));
    found.push({ from: file, target, typeOnly, line: line.replace(/\s+/g, ' ') });
  }
  return found;
}

const IMPORTS = FILES.flatMap(importsOf);

const moduleOf = (target: string) => (target.includes('/') ? target.split('/')[0] : '');

describe('module boundaries (docs/architecture.md)', () => {
  it('reads every source file and import', () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(IMPORTS.filter((i) => i.target !== null).length).toBeGreaterThan(300);
  });

  it("no module imports another module's entities or repositories", () => {
    const violations = IMPORTS.filter((i) => {
      if (i.target === null || i.typeOnly) return false;
      const owner = moduleOf(i.target);
      if (owner === i.from.module) return false;
      const ownsTable = /\/entities\//.test(i.target) || /\.repository$/.test(i.target);
      if (!ownsTable) return false;
      // the schema is one: entities may declare foreign keys to other modules' entities, and
      // the data source lists them all
      if (/\/entities\//.test(i.from.path) && /\/entities\//.test(i.target)) return false;
      return i.from.path !== 'database/entities.ts';
    });
    expect(violations.map((v) => `${v.from.path}: ${v.line}`)).toEqual([]);
  });

  it('infrastructure imports no domain module', () => {
    const violations = IMPORTS.filter(
      (i) =>
        i.target !== null &&
        !i.typeOnly &&
        INFRASTRUCTURE.has(i.from.module) &&
        i.from.path !== 'database/entities.ts' &&
        moduleOf(i.target) !== '' &&
        !INFRASTRUCTURE.has(moduleOf(i.target)),
    );
    expect(violations.map((v) => `${v.from.path}: ${v.line}`)).toEqual([]);
  });

  describe('SQL only in repositories', () => {
    /**
     * Exempt: `database/` (the plumbing every repository's statements go through: prepared
     * statements, transactions, the pool and its ping) and spec files (skipped by sourceFiles;
     * tests set up rows directly). Migrations live outside src/. Nothing else is: the CLI and
     * the region seed run inside the application and call services or repositories like it;
     * services inject a DataSource only to open transactions (`runInTransaction`) and hand the
     * manager on to repository methods.
     */
    const exempt = (path: string) =>
      path.endsWith('.repository.ts') || path.startsWith('database/');

    /** What only a repository may do, each found on one line of code (comments left out). */
    const TYPEORM_USE: [string, RegExp][] = [
      ['injects a TypeORM repository', /@InjectRepository\s*\(/],
      ['takes a TypeORM repository', /\.(?:getRepository|withRepository)\s*\(/],
      ['builds a query', /\bcreateQueryBuilder\s*\(/],
      ['runs raw SQL', /\.query\s*\(/],
      [
        'runs a statement through an EntityManager',
        /manager\s*\)?\s*\.\s*(?:find\w*|exists\w*|count\w*|sum|average|minimum|maximum|save|insert|update|upsert|delete|softDelete|restore|softRemove|remove|increment|decrement|create|merge|preload|clear)\s*\(/i,
      ],
    ];

    /** `path:line: what (code)` for every TypeORM use in the text. */
    function typeormUses(path: string, text: string): string[] {
      // blank out comments, keeping the line numbers
      const code = text
        .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
        .replace(/^\s*\/\/.*$/gm, '');
      return code
        .split('\n')
        .flatMap((line, i) =>
          TYPEORM_USE.filter(([, pattern]) => pattern.test(line)).map(
            ([what]) => `${path}:${i + 1}: ${what} (${line.trim()})`,
          ),
        );
    }

    it('finds each kind of use (the check can fail)', () => {
      const sample = [
        '@InjectRepository(User) private readonly users: Repository<User>,',
        'const repo = this.dataSource.getRepository(User);',
        "this.users.createQueryBuilder('u').getMany();",
        "await this.dataSource.query('SELECT 1');",
        'await manager.update(User, { id }, { role });',
        'await (manager ?? this.users.manager).findOneBy(User, { id });',
        '// manager.update(User, ...) in a comment',
        '/** this.dataSource.query(sql) in a doc comment */',
        'await this.users.update(manager, id, changes);',
        'await runInTransaction(this.dataSource, (manager) => this.tokens.revoke(manager, id));',
      ].join('\n');
      expect(typeormUses('x.service.ts', sample).map((v) => v.replace(/ \(.*$/, ''))).toEqual([
        'x.service.ts:1: injects a TypeORM repository',
        'x.service.ts:2: takes a TypeORM repository',
        'x.service.ts:3: builds a query',
        'x.service.ts:4: runs raw SQL',
        'x.service.ts:5: runs a statement through an EntityManager',
        'x.service.ts:6: runs a statement through an EntityManager',
      ]);
    });

    it('no TypeORM outside repositories and database/', () => {
      const violations = FILES.filter((f) => !exempt(f.path)).flatMap((f) =>
        typeormUses(f.path, f.text),
      );
      expect(violations).toEqual([]);
      // the repositories are where the SQL went
      expect(
        FILES.filter((f) => f.path.endsWith('.repository.ts') && typeormUses(f.path, f.text).length)
          .length,
      ).toBeGreaterThan(10);
    });
  });

  it('needs no forwardRef', () => {
    expect(FILES.filter((f) => /\bforwardRef\s*\(/.test(f.text)).map((f) => f.path)).toEqual([]);
  });

  it('has no cycle between Nest modules', () => {
    // a module file's imports of other *.module files are its edges
    const edges = new Map<string, string[]>();
    for (const file of FILES.filter((f) => f.path.endsWith('.module.ts'))) {
      edges.set(
        file.path.replace(/\.ts$/, ''),
        IMPORTS.filter((i) => i.from === file && i.target?.endsWith('.module')).map(
          (i) => i.target as string,
        ),
      );
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
        return;
      }
      state.set(node, 'open');
      for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const node of edges.keys()) visit(node, []);
    expect(cycles).toEqual([]);
    expect(edges.size).toBeGreaterThan(15);
  });

  describe('events', () => {
    /** `Class.CONSTANT` → the event name, for every named event in a *.events.ts file. */
    const events = new Map<string, string>();
    for (const file of FILES.filter((f) => f.path.endsWith('.events.ts'))) {
      for (const cls of file.text.matchAll(/export class (\w+)[^{]*\{([\s\S]*?)\n\}/g)) {
        for (const constant of cls[2].matchAll(/static readonly (\w+) = '([^']+)'/g)) {
          events.set(`${cls[1]}.${constant[1]}`, constant[2]);
        }
      }
    }

    it('are declared in <module>.events.ts files only', () => {
      expect(events.size).toBeGreaterThan(8);
      const elsewhere = FILES.filter(
        (f) => !f.path.endsWith('.events.ts') && /static readonly NAME = '/.test(f.text),
      );
      expect(elsewhere.map((f) => f.path)).toEqual([]);
    });

    it('are subscribed to by their constants, never by a string', () => {
      const literal = FILES.flatMap((f) =>
        [...f.text.matchAll(/@OnEvent\(\s*['"`]([^'"`]+)/g)].map((m) => `${f.path}: ${m[1]}`),
      );
      expect(literal).toEqual([]);
    });

    it('each have a listener', () => {
      const listened = new Set(
        FILES.flatMap((f) => [...f.text.matchAll(/@OnEvent\(\s*([\w.]+)/g)].map((m) => m[1])),
      );
      const unheard = [...events.keys()].filter((key) => !listened.has(key));
      expect(unheard).toEqual([]);
    });
  });
});
