/**
 * The metadata filter of ingest (`--obs-filter column=value`). Values given for one column are
 * alternatives (any of them keeps a cell); different columns must all match. A repeated column
 * once meant "the last value only", which silently dropped every cell of the other values.
 */
import { GearsUsageError } from '@gears-pipeline/core';

/** column → the values that keep a cell (one value or several alternatives) */
export type ObsFilter = Record<string, string | readonly string[]>;

/** Parses `column=value` items (from flags or the config's list) into one entry per column. */
export function parseObsFilter(items: readonly string[]): Record<string, string[]> | undefined {
  if (!items.length) return undefined;
  const out: Record<string, string[]> = {};
  for (const it of items) {
    const eq = it.indexOf('=');
    if (eq <= 0) throw new GearsUsageError(`--obs-filter takes column=value (e.g. dataset=norman19), got '${it}'`);
    const values = (out[it.slice(0, eq)] ??= []);
    const v = it.slice(eq + 1);
    if (!values.includes(v)) values.push(v);
  }
  return out;
}

/** The accepted values of one filter entry as a list. */
export function obsFilterValues(v: string | readonly string[]): readonly string[] {
  return typeof v === 'string' ? [v] : v;
}
