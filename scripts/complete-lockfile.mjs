#!/usr/bin/env node
// Adds lockfile entries for optional platform binaries (other OS/CPU builds of nx, DuckDB, …)
// that `npm install` could not record because this machine's registry mirror only serves its own
// platform. Without them `npm ci` reports the lockfile out of sync. Each entry carries the os/cpu
// constraints read from the package name, so npm skips it on every other platform, as it would
// with the registry's own metadata. Run after `npm install` changes package-lock.json.
import { readFileSync, writeFileSync } from 'node:fs';

const path = 'package-lock.json';
const lock = JSON.parse(readFileSync(path, 'utf8'));
const pkgs = lock.packages;

function platformOf(name) {
  const s = name.split('/').pop();
  const os = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openbsd', 'sunos', 'aix'].find((o) => s.includes(o));
  const cpu = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'].find((c) => new RegExp(`(^|-)${c}(-|$)`).test(s.replace(/^.*?(darwin|linux|win32|freebsd|android|openbsd|sunos|aix)-/, '')));
  const libc = s.includes('musl') ? 'musl' : s.includes('gnu') ? 'glibc' : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [key, entry] of Object.entries(pkgs)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const at = `node_modules/${dep}`;
    if (pkgs[at] || pkgs[`${key}/node_modules/${dep}`]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os || !cpu) continue; // not a platform binary: leave it to npm
    pkgs[at] = { version, optional: true, os: [os], cpu: [cpu], ...(libc ? { libc: [libc] } : {}) };
    added++;
  }
}
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} platform entries`);
