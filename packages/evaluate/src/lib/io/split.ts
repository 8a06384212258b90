/**
 * Reads a split (core `SplitAssignment[]`) from the formats a user or another stage may have:
 *   - JSON array of {condition, split, subgroup};
 *   - JSON object {train: [...], val: [...], test: [...], test_subgroup?: {...}, val_subgroup?: {...}};
 *   - the reference GEARS pickles dumped to JSON ({"<name>.pkl": {train, val, test},
 *     "<name>_subgroup.pkl": {test_subgroup, val_subgroup}});
 *   - Parquet with columns condition, split, subgroup.
 * Condition names are canonicalised (`ctrl+A` → `A+ctrl`); control is always a training condition.
 */
import { existsSync, readFileSync } from 'node:fs';
import { CONTROL, GearsInputError, canonicalCondition, readParquetColumns, type SplitAssignment } from '@gears-pipeline/core';

type Subgroup = SplitAssignment['subgroup'];
const SPLITS = new Set(['train', 'val', 'test']);
const SUBGROUP_NAMES = new Set(['', 'unseen_single', 'combo_seen0', 'combo_seen1', 'combo_seen2']);

export async function readSplit(path: string): Promise<SplitAssignment[]> {
  if (!existsSync(path)) {
    throw new GearsInputError({ file: path, field: '(file)', problem: 'does not exist', fix: 'run `gears split` first, or pass an existing split file with --split' });
  }
  if (path.endsWith('.parquet')) {
    const t = await readParquetColumns(path, ['condition', 'split', 'subgroup']);
    return normalise(path, t.condition.map((c, i) => ({ condition: String(c), split: String(t.split[i]), subgroup: String(t.subgroup[i] ?? '') })));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new GearsInputError({ file: path, field: '(file)', problem: `is not readable JSON (${(e as Error).message})`, fix: 'pass the split written by gears split, or a JSON {train, val, test} object' });
  }
  return normalise(path, fromJson(path, raw));
}

function fromJson(path: string, raw: unknown): { condition: string; split: string; subgroup: string }[] {
  if (Array.isArray(raw)) return raw as { condition: string; split: string; subgroup: string }[];
  if (!raw || typeof raw !== 'object') {
    throw new GearsInputError({ file: path, field: '(root)', problem: 'is neither an array nor an object', fix: 'write the split as {train: [...], val: [...], test: [...]}' });
  }
  let obj = raw as Record<string, unknown>;
  // reference pickles dumped to JSON: merge the "<name>.pkl" and "<name>_subgroup.pkl" entries
  const pkl = Object.keys(obj).filter((k) => k.endsWith('.pkl'));
  if (pkl.length) obj = Object.assign({}, ...pkl.map((k) => obj[k] as object));
  const out: { condition: string; split: string; subgroup: string }[] = [];
  const subgroupOf = new Map<string, string>();
  for (const key of ['test_subgroup', 'val_subgroup']) {
    const sg = obj[key] as Record<string, string[]> | undefined;
    if (!sg) continue;
    for (const [name, list] of Object.entries(sg)) for (const c of list) subgroupOf.set(`${key.slice(0, key.indexOf('_'))}|${c}`, name);
  }
  for (const split of SPLITS) {
    const list = obj[split];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new GearsInputError({ file: path, field: split, problem: 'is not a list of condition names', fix: `write "${split}": ["A+ctrl", "A+B", …]` });
    for (const c of list) out.push({ condition: String(c), split, subgroup: subgroupOf.get(`${split}|${c}`) ?? '' });
  }
  if (out.length === 0) throw new GearsInputError({ file: path, field: 'train/val/test', problem: 'names no condition', fix: 'write the split with train, val and test lists' });
  return out;
}

function normalise(path: string, rows: { condition: string; split: string; subgroup: string }[]): SplitAssignment[] {
  const seen = new Map<string, SplitAssignment>();
  for (const r of rows) {
    if (!SPLITS.has(r.split)) throw new GearsInputError({ file: path, field: 'split', problem: `condition ${r.condition} has split "${r.split}"`, fix: 'use train, val or test' });
    const subgroup = r.subgroup ?? '';
    if (!SUBGROUP_NAMES.has(subgroup)) throw new GearsInputError({ file: path, field: 'subgroup', problem: `condition ${r.condition} has subgroup "${subgroup}"`, fix: 'use unseen_single, combo_seen0, combo_seen1, combo_seen2 or empty' });
    const condition = canonicalCondition(r.condition);
    seen.set(condition, { condition, split: r.split as SplitAssignment['split'], subgroup: subgroup as Subgroup });
  }
  if (!seen.has(CONTROL)) seen.set(CONTROL, { condition: CONTROL, split: 'train', subgroup: '' });
  return [...seen.values()];
}
