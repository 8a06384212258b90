/**
 * Split tables: written as Parquet (condition, split, subgroup) so a lab can pin a split and
 * query it; read back from that Parquet or from JSON (`{"train": [...], "val": [...],
 * "test": [...]}`, the reference's `set2conditions` pickle as JSON).
 */
import { existsSync, readFileSync } from 'node:fs';
import { GearsInputError, canonicalCondition, readParquetColumns, writeParquetTable, type ParquetColumnSpec, type SplitAssignment } from '@gears-pipeline/core';

export const SPLIT_FILE = 'split.parquet';
export const SPLIT_COLUMNS: ParquetColumnSpec[] = [
  { name: 'condition', type: 'STRING' },
  { name: 'split', type: 'STRING' },
  { name: 'subgroup', type: 'STRING' },
];
const SPLITS = new Set(['train', 'val', 'test']);
const SUBGROUPS = new Set(['', 'unseen_single', 'combo_seen0', 'combo_seen1', 'combo_seen2']);

/** Writes the split table (atomic). */
export function writeSplit(path: string, assignments: readonly SplitAssignment[]): number {
  return writeParquetTable(path, SPLIT_COLUMNS, {
    condition: assignments.map((a) => a.condition),
    split: assignments.map((a) => a.split),
    subgroup: assignments.map((a) => a.subgroup),
  });
}

function checked(path: string, condition: unknown, split: unknown, subgroup: unknown): SplitAssignment {
  const s = String(split ?? '');
  const g = String(subgroup ?? '');
  if (!SPLITS.has(s)) throw new GearsInputError({ file: path, field: 'split', problem: `'${s}' (condition ${String(condition)}) is not train, val or test`, fix: 'use train, val or test' });
  if (!SUBGROUPS.has(g)) throw new GearsInputError({ file: path, field: 'subgroup', problem: `'${g}' is not a known subgroup`, fix: 'use unseen_single, combo_seen0, combo_seen1, combo_seen2 or leave it empty' });
  const c = canonicalCondition(String(condition ?? ''));
  if (!c) throw new GearsInputError({ file: path, field: 'condition', problem: 'an empty condition name', fix: 'name every condition (ctrl, A+ctrl, A+B)' });
  return { condition: c, split: s as SplitAssignment['split'], subgroup: g as SplitAssignment['subgroup'] };
}

/** Reads a split from Parquet (condition, split[, subgroup]) or JSON lists. */
export async function readSplit(path: string): Promise<SplitAssignment[]> {
  if (!existsSync(path)) {
    throw new GearsInputError({ file: path, field: '(file)', problem: 'does not exist', fix: 'run `gears split` first, or pass an existing split file' });
  }
  if (/\.json$/i.test(path)) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new GearsInputError({ file: path, field: '(file)', problem: `is not valid JSON (${(e as Error).message})`, fix: 'write {"train": [...], "val": [...], "test": [...]}' });
    }
    if (!data || typeof data !== 'object' || Array.isArray(data)) {
      throw new GearsInputError({ file: path, field: '(root)', problem: 'is not an object of condition lists', fix: 'write {"train": [...], "val": [...], "test": [...]}' });
    }
    const out: SplitAssignment[] = [];
    for (const [split, list] of Object.entries(data as Record<string, unknown>)) {
      if (!SPLITS.has(split)) throw new GearsInputError({ file: path, field: split, problem: 'is not train, val or test', fix: 'use the keys train, val and test' });
      if (!Array.isArray(list)) throw new GearsInputError({ file: path, field: split, problem: 'is not a list of condition names', fix: `write "${split}": ["A+ctrl", ...]` });
      for (const c of list) out.push(checked(path, c, split, ''));
    }
    return out;
  }
  const cols = await readParquetColumns(path);
  for (const need of ['condition', 'split']) {
    if (!cols[need]) throw new GearsInputError({ file: path, field: need, problem: 'column is missing', fix: 'a split table needs condition and split columns (subgroup optional)' });
  }
  return cols.condition.map((c, i) => checked(path, c, cols.split[i], cols.subgroup?.[i] ?? ''));
}
