/**
 * Gene graphs as Parquet edge tables (source, target, weight; gene names), readable by DuckDB
 * and BI tools. The full node list (isolated vocabulary genes included, which an edge table
 * cannot show) is kept in the file's key/value metadata so `readGeneGraph` restores it exactly.
 */
import { GearsInputError, parquetKeyValues, readParquetColumns, writeParquetTable, type GeneGraph, type ParquetColumnSpec } from '@gears-pipeline/core';

export const EDGE_COLUMNS: ParquetColumnSpec[] = [
  { name: 'source', type: 'STRING' },
  { name: 'target', type: 'STRING' },
  { name: 'weight', type: 'DOUBLE' },
];
const NODES_KEY = 'gears.nodes';

/** Writes a graph's edges (atomic); returns the number of edges. */
export function writeGeneGraph(path: string, graph: GeneGraph): number {
  return writeParquetTable(
    path,
    EDGE_COLUMNS,
    {
      source: Array.from(graph.source, (i) => graph.nodes[i]),
      target: Array.from(graph.target, (i) => graph.nodes[i]),
      weight: graph.weight,
    },
    { kv: { [NODES_KEY]: JSON.stringify(graph.nodes) } },
  );
}

/**
 * Reads an edge table written by `writeGeneGraph` (or any Parquet table with source, target,
 * weight columns). Nodes: `nodes` when given, else the stored node list, else the sorted
 * genes seen in the edges.
 */
export async function readGeneGraph(path: string, nodes?: readonly string[]): Promise<GeneGraph> {
  const cols = await readParquetColumns(path, ['source', 'target', 'weight']);
  let nodeList = nodes ? [...nodes] : undefined;
  if (!nodeList) {
    const stored = (await parquetKeyValues(path))[NODES_KEY];
    nodeList = stored ? (JSON.parse(stored) as string[]) : [...new Set([...(cols.source as string[]), ...(cols.target as string[])])].sort();
  }
  const index = new Map(nodeList.map((g, i) => [g, i]));
  const lookup = (g: unknown, field: string) => {
    const i = index.get(String(g));
    if (i === undefined) {
      throw new GearsInputError({ file: path, field, problem: `gene '${String(g)}' is not a node of the graph`, fix: 'rebuild the graphs with `gears graphs` for this data set' });
    }
    return i;
  };
  return {
    nodes: nodeList,
    source: Int32Array.from(cols.source, (g) => lookup(g, 'source')),
    target: Int32Array.from(cols.target, (g) => lookup(g, 'target')),
    weight: Float64Array.from(cols.weight as number[], Number),
  };
}
