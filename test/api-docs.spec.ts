import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ErrorCode } from '../src/common/errors/error-codes';

/**
 * docs/api.md against the code: every error code is explained with its status, and it links
 * only to files in the repository.
 */

const DOCS = resolve(__dirname, '..', 'docs');
const apiMd = readFileSync(join(DOCS, 'api.md'), 'utf8');

describe('docs/api.md', () => {
  it('explains every error code with its status, and no code the server does not have', () => {
    const rows = [...apiMd.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map(([, code, status]) => [
      code,
      Number(status),
    ]);
    expect(Object.fromEntries(rows)).toEqual({ ...ErrorCode });
    expect(rows).toHaveLength(Object.keys(ErrorCode).length);
  });

  it('links only to files of the repository that exist', () => {
    const links = [...apiMd.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)].map(([, target]) => target);
    expect(links.length).toBeGreaterThan(0);
    for (const target of links) {
      expect(target).not.toMatch(/^[a-z]+:/);
      expect(() => readFileSync(join(DOCS, target))).not.toThrow();
    }
    expect(apiMd).not.toMatch(/SPEC|CONVENTIONS/);
  });
});
