/**
 * Incremental reruns: one rule for every entry point (`gears run`, `gears <stage>`, Nx targets).
 *
 * A stage's key is the hash of
 *   - the stage name and the code version (an upgrade reruns everything),
 *   - the stage's settings (library arguments with defaults filled in, paths left out),
 *   - the content of every file it reads, by role: input data and tables by their sha256, and the
 *     outputs of earlier stages by the content hashes their manifests record — verified against
 *     the files, so an output changed or corrupted after its stage wrote it is an error, never
 *     silently reused.
 * After a stage succeeds, `pipeline-key.json` in its directory records the key, the settings and
 * the input paths. A stage is skipped when its key is unchanged and every output its manifest
 * lists still has the recorded hash. The key file is removed before a stage runs, so a run killed
 * mid-stage always reruns that stage (and the ones after it) next time.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { GearsInputError, MANIFEST_FILE, PACKAGE_VERSION, readManifest, sha256File, sha256Json, writeFileAtomic } from '@gears-pipeline/core';

export const KEY_FILE = 'pipeline-key.json';

export interface StageKeyInputs {
  /** the settings the stage's outputs depend on (no output locations) */
  config: unknown;
  /** role → path of every file or directory the stage reads (data, tables, earlier stages' outputs) */
  inputs: Record<string, string>;
}

/** What `pipeline-key.json` holds. */
export interface StageKeyRecord {
  stage: string;
  key: string;
  version: string;
  config: unknown;
  inputs: Record<string, string>;
  finishedAt: string;
}

const fileHashCache = new Map<string, { mtimeMs: number; size: number; ino: number; hash: string }>();

/** sha256 of a file's content; cached for the process while its mtime, size and inode are unchanged. */
export async function hashFile(path: string): Promise<string> {
  const st = statSync(path);
  const cached = fileHashCache.get(path);
  if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size && cached.ino === st.ino) return cached.hash;
  const hash = await sha256File(path);
  fileHashCache.set(path, { mtimeMs: st.mtimeMs, size: st.size, ino: st.ino, hash });
  return hash;
}

function listFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => !basename(f).startsWith('.') && statSync(join(dir, f)).isFile())
    .sort();
}

/** Checks recorded output hashes against the files; returns the recorded hashes when they all match. */
async function verifiedOutputs(stageDir: string, prefix: string): Promise<Record<string, string> | undefined> {
  const m = readManifest(stageDir);
  if (!m) return undefined;
  const entries = Object.entries(m.outputs ?? {}).filter(([f]) => prefix === '' || f === prefix || f.startsWith(`${prefix}/`));
  if (entries.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const [f, o] of entries) {
    const p = join(stageDir, f);
    const fix = `rerun \`gears ${m.stage}\` (or \`gears run\`), which rewrites it`;
    if (!existsSync(p)) throw new GearsInputError({ file: p, field: '(file)', problem: `is missing, though ${join(stageDir, MANIFEST_FILE)} lists it as an output of ${m.stage}`, fix });
    const h = await hashFile(p);
    if (o.sha256 && h !== o.sha256) {
      throw new GearsInputError({ file: p, field: 'sha256', problem: `content differs from the hash ${m.stage} recorded in its manifest (changed or corrupted since it was written)`, fix });
    }
    out[prefix === '' ? f : relative(prefix, f) || '.'] = h;
  }
  return out;
}

/**
 * The content identity of one input: a file's sha256; for an earlier stage's output directory (or
 * a file or folder inside one) the hashes its manifest records, after checking them against the
 * files; any other directory, the hashes of every file in it.
 */
export async function contentIdentity(path: string): Promise<string> {
  if (!existsSync(path)) return 'missing';
  const isDir = statSync(path).isDirectory();
  if (isDir && existsSync(join(path, MANIFEST_FILE))) {
    const v = await verifiedOutputs(path, '');
    if (v) return sha256Json(v);
  }
  // a file or folder written by a stage whose directory is the parent (e.g. split/split.parquet, model/checkpoint)
  if (existsSync(join(dirname(path), MANIFEST_FILE))) {
    const v = await verifiedOutputs(dirname(path), basename(path));
    if (v) return isDir ? sha256Json(v) : Object.values(v)[0];
  }
  if (!isDir) return hashFile(path);
  const files: Record<string, string> = {};
  for (const f of listFiles(path)) files[f] = await hashFile(join(path, f));
  return sha256Json(files);
}

/** The rerun key of a stage (see the file comment). */
export async function stageKey(stage: string, inputs: StageKeyInputs, version: string = PACKAGE_VERSION): Promise<string> {
  const ids: Record<string, string> = {};
  for (const [role, p] of Object.entries(inputs.inputs)) ids[role] = await contentIdentity(p);
  return sha256Json({ stage, version, config: inputs.config, inputs: ids });
}

export function readStageRecord(dir: string): StageKeyRecord | undefined {
  const p = join(dir, KEY_FILE);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as StageKeyRecord;
  } catch {
    return undefined;
  }
}

export function readStageKey(dir: string): string | undefined {
  return readStageRecord(dir)?.key;
}

/** True when the stage in `dir` finished with this key and its outputs are intact. */
export async function stageIsCurrent(dir: string, key: string): Promise<boolean> {
  if (readStageKey(dir) !== key) return false;
  const m = readManifest(dir);
  if (!m) return false;
  for (const [file, out] of Object.entries(m.outputs ?? {})) {
    const p = join(dir, file);
    if (!existsSync(p)) return false;
    if (out.sha256 && (await hashFile(p)) !== out.sha256) return false;
  }
  return true;
}

export function markStageDone(dir: string, stage: string, key: string, inputs: StageKeyInputs, version: string = PACKAGE_VERSION): void {
  const record: StageKeyRecord = { stage, key, version, config: inputs.config, inputs: inputs.inputs, finishedAt: new Date().toISOString() };
  writeFileAtomic(join(dir, KEY_FILE), JSON.stringify(record, null, 2) + '\n');
}
