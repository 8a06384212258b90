/**
 * Incremental reruns. After a stage succeeds the pipeline writes `pipeline-key.json` in the
 * stage directory: a hash of the stage's config, its input files' content and the keys of the
 * stages it reads. A stage is skipped when its key is unchanged and every output its manifest
 * lists still has the recorded content hash. The key file is removed before a stage runs, so a
 * run killed mid-stage always reruns that stage (and the ones after it) next time.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest, sha256File, sha256Json, writeFileAtomic } from '@gears-pipeline/core';

export const KEY_FILE = 'pipeline-key.json';

export interface StageKeyInputs {
  config: unknown;
  /** input files read by the stage (hashed by content) */
  files: string[];
  /** keys of the upstream stages */
  upstream: string[];
}

const fileHashCache = new Map<string, { mtimeMs: number; size: number; hash: string }>();

async function hashInputFile(path: string): Promise<string> {
  if (!existsSync(path)) return 'missing';
  const { statSync } = await import('node:fs');
  const st = statSync(path);
  const cached = fileHashCache.get(path);
  if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.hash;
  const hash = st.isDirectory() ? `dir:${st.mtimeMs}` : await sha256File(path);
  fileHashCache.set(path, { mtimeMs: st.mtimeMs, size: st.size, hash });
  return hash;
}

export async function stageKey(stage: string, inputs: StageKeyInputs): Promise<string> {
  const files: Record<string, string> = {};
  for (const f of inputs.files) files[f] = await hashInputFile(f);
  return sha256Json({ stage, config: inputs.config, files, upstream: inputs.upstream });
}

export function readStageKey(dir: string): string | undefined {
  const p = join(dir, KEY_FILE);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')).key as string;
  } catch {
    return undefined;
  }
}

/** True when the stage in `dir` finished with this key and its outputs are intact. */
export async function stageIsCurrent(dir: string, key: string): Promise<boolean> {
  if (readStageKey(dir) !== key) return false;
  const m = readManifest(dir);
  if (!m) return false;
  for (const [file, out] of Object.entries(m.outputs ?? {})) {
    const p = join(dir, file);
    if (!existsSync(p)) return false;
    if (out.sha256 && (await sha256File(p)) !== out.sha256) return false;
  }
  return true;
}

export function invalidateStage(dir: string): void {
  rmSync(join(dir, KEY_FILE), { force: true });
}

export function markStageDone(dir: string, stage: string, key: string): void {
  writeFileAtomic(join(dir, KEY_FILE), JSON.stringify({ stage, key, finishedAt: new Date().toISOString() }, null, 2) + '\n');
}
