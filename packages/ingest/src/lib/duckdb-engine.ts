/**
 * `gears ingest --engine duckdb`: the statistics pass as SQL (sql/condition_gene_stats.sql, the
 * same file documented for Spark SQL and Trino in docs/downstream.md) run by embedded DuckDB over
 * a Parquet cells table, instead of the built-in streaming accumulator. Everything around it
 * (conditions, Welch t, DE ranks, the tables written) is shared with the built-in engine.
 *
 * DuckDB (`@duckdb/node-api`) is an optional dependency: a native binary of ≈ 60 MB that only
 * this opt-in engine needs, so the default install path does not depend on it; when it is
 * missing, `--engine duckdb` says so and how to install it.
 */
import { readFileSync } from 'node:fs';
import { GearsUsageError } from '@gears-pipeline/core';
import type { Moments } from './stats/moments.ts';

export type IngestEngine = 'builtin' | 'duckdb';
export const INGEST_ENGINES: readonly IngestEngine[] = ['builtin', 'duckdb'];

/** The statistics SQL shipped with the package. */
export const CONDITION_GENE_STATS_SQL_PATH = new URL('../../sql/condition_gene_stats.sql', import.meta.url);

export function conditionGeneStatsSql(): string {
  return readFileSync(CONDITION_GENE_STATS_SQL_PATH, 'utf8');
}

export interface DuckdbMomentsArgs {
  /** the Parquet cells table (CELLS_COLUMNS layout) */
  cellsPath: string;
  /** column of the table holding each cell's condition label */
  labelColumn: string;
  /** label as stored → canonical condition name; labels not listed are not ingested */
  conditionOfLabel: ReadonlyMap<string, string>;
  /** canonical conditions, in the order of the output rows */
  conditions: readonly string[];
  nGenes: number;
  /** DuckDB worker threads; default DuckDB's (all cores) */
  threads?: number;
}

const quoteString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

async function loadDuckdb(): Promise<typeof import('@duckdb/node-api')> {
  try {
    return await import('@duckdb/node-api');
  } catch (e) {
    throw new GearsUsageError(`--engine duckdb needs the optional package @duckdb/node-api, which is not installed (${(e as Error).message.split('\n')[0]}); install it with \`npm install @duckdb/node-api\`, or use the built-in engine (--engine builtin)`);
  }
}

/** Per (condition, gene) moments of the cells table, computed by DuckDB with the shipped SQL. */
export async function duckdbMoments(args: DuckdbMomentsArgs): Promise<Moments> {
  const { DuckDBInstance } = await loadDuckdb();
  const db = await DuckDBInstance.create(':memory:', args.threads ? { threads: String(args.threads) } : {});
  const con = await db.connect();
  try {
    // conditions enter the query as their row index: integer keys hash and join faster than names
    const index = new Map(args.conditions.map((c, i) => [c, i]));
    await con.run('CREATE TEMP TABLE condition_map (label VARCHAR, condition INTEGER)');
    const pairs = [...args.conditionOfLabel].filter(([, c]) => index.has(c));
    for (let i = 0; i < pairs.length; i += 1000) {
      const values = pairs.slice(i, i + 1000).map(([l, c]) => `(${quoteString(l)}, ${index.get(c)})`);
      await con.run(`INSERT INTO condition_map VALUES ${values.join(', ')}`);
    }
    await con.run(
      `CREATE TEMP VIEW cells AS SELECT m.condition, c.gene_index, c.value FROM read_parquet(${quoteString(args.cellsPath)}) AS c JOIN condition_map AS m ON m.label = c.${quoteIdent(args.labelColumn)}`,
    );
    const reader = await con.runAndReadAll(conditionGeneStatsSql());
    const C = args.conditions.length;
    const G = args.nGenes;
    const mk = () => new Float64Array(C * G);
    const out: Moments = { nConditions: C, nGenes: G, n: new Float64Array(C), mean: mk(), m2: mk(), m3: mk(), m4: mk(), nonzero: mk() };
    const cols = reader.getColumns();
    const [cond, gene, n, mean, m2, m3, m4, nonzero] = cols;
    for (let r = 0; r < cond.length; r++) {
      const c = Number(cond[r]);
      const j = c * G + Number(gene[r]);
      out.mean[j] = Number(mean[r]);
      // clamped at 0 as the built-in engine does (rounding can leave a tiny negative sum of squares)
      out.m2[j] = Math.max(0, Number(m2[r]));
      out.m3[j] = Number(m3[r]);
      out.m4[j] = Math.max(0, Number(m4[r]));
      out.nonzero[j] = Number(nonzero[r]);
    }
    // cells per condition (also those whose cells store no value at all)
    const counts = await con.runAndReadAll('SELECT condition, count(*) FROM cells GROUP BY condition');
    for (const [c, k] of counts.getRows()) out.n[Number(c)] = Number(k);
    return out;
  } finally {
    con.closeSync?.();
    db.closeSync?.();
  }
}
