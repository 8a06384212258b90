// The module-boundary rule (DESIGN §1): dependencies point one way only,
// pipeline → evaluate → model → graphs → ingest → core. Nx's eslint rule lives in an @nx plugin
// we do not install (offline, version lag), so the rule is enforced here on the import graph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ORDER = ['core', 'ingest', 'graphs', 'model', 'evaluate', 'pipeline'];
const root = resolve(import.meta.dirname, '..', 'packages');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('packages import only packages below them, and only through their public index', () => {
  const violations: string[] = [];
  for (const pkg of ORDER) {
    const level = ORDER.indexOf(pkg);
    for (const f of files(join(root, pkg, 'src'))) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/from\s+['"](@gears-pipeline\/[^'"]+|\.\.\/\.\.\/\.\.\/[^'"]+)['"]/g)) {
        const spec = m[1];
        if (spec.startsWith('../../../')) {
          violations.push(`${f}: relative import across packages (${spec})`);
          continue;
        }
        const [, name, ...deep] = spec.split('/');
        if (deep.length) violations.push(`${f}: deep import ${spec} (use the package index)`);
        const dep = ORDER.indexOf(name);
        if (dep < 0 || dep >= level) violations.push(`${f}: ${pkg} may not import ${spec}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});
