/**
 * Child processes (load generators, baseline servers) run as plain JavaScript: the bench
 * sources are transpiled once per runner invocation into a temp dir, so no child pays for
 * ts-node at start or carries its hooks while it is measured.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';
import { ROOT, TempDir } from './common';

let compiled: { dir: TempDir } | null = null;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Transpiles bench/**\/*.ts (once) and returns the directory holding the .js files. */
export function compiledBenchDir(): string {
  if (!compiled) {
    const dir = new TempDir('js');
    const benchDir = join(ROOT, 'bench');
    for (const file of sources(benchDir)) {
      const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
        fileName: file,
        compilerOptions: {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          esModuleInterop: true,
          experimentalDecorators: true,
        },
      });
      const out = join(dir.path, relative(benchDir, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, outputText);
    }
    compiled = { dir };
  }
  return compiled.dir.path;
}

/** Absolute path of a transpiled bench script, e.g. `baselines/chat-echo-server`. */
export function childScript(name: string): string {
  return join(compiledBenchDir(), `${name}.js`);
}

/** Environment for a transpiled child: it resolves packages from the project's node_modules. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_PATH: join(ROOT, 'node_modules'),
    BENCH_ROOT: ROOT,
    ...extra,
  };
}

export function removeCompiled(): void {
  compiled?.dir.remove();
  compiled = null;
}
