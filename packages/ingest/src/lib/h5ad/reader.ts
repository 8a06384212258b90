/**
 * AnnData `.h5ad` as a `CellSource`: obs and var are read whole (metadata), X block by block.
 */
import { GearsInputError, GearsUsageError } from '@gears-pipeline/core';
import type { CellSource } from '../source.ts';
import { readDataframe } from './dataframe.ts';
import { openXMatrix } from './matrix.ts';
import { openHdf5 } from './open.ts';

/** var columns tried, in order, for gene symbols when no --gene-column is given (then the index). */
export const DEFAULT_GENE_COLUMNS = ['gene_name', 'gene_symbol', 'feature_name', 'gene_symbols', 'gene'];

export interface H5adOptions {
  /** var column holding gene symbols; default: the first of DEFAULT_GENE_COLUMNS present, else the var index */
  geneColumn?: string;
  /** read the matrix from `layers/<name>` instead of X (scanpy users keep counts in layers['counts']) */
  layer?: string;
  /** read `raw/X` with `raw/var` instead of X and var (adata.raw, where scanpy keeps the unfiltered counts) */
  useRaw?: boolean;
}

/** Where the expression matrix and its var table are, from --layer / --use-raw. */
function matrixLocation(path: string, h5: Awaited<ReturnType<typeof openHdf5>>, opts: H5adOptions): { x: string; varPath: string } {
  if (opts.layer && opts.useRaw) throw new GearsUsageError('--layer and --use-raw exclude each other: pick the layer, or raw/X');
  if (opts.useRaw) {
    if (!h5.keys().includes('raw') || !(h5.get('raw') as { keys?: () => string[] }).keys?.().includes('X')) {
      throw new GearsInputError({ file: path, field: 'raw/X', problem: 'the file has no raw matrix (adata.raw is empty)', fix: 'drop --use-raw, or pass --layer NAME for a layer' });
    }
    return { x: 'raw/X', varPath: 'raw/var' };
  }
  if (opts.layer) {
    const layers = h5.keys().includes('layers') ? ((h5.get('layers') as { keys?: () => string[] }).keys?.() ?? []) : [];
    if (!layers.includes(opts.layer)) {
      throw new GearsInputError({ file: path, field: `layers/${opts.layer}`, problem: `layer is missing; the file has ${layers.length ? `layers ${layers.join(', ')}` : 'no layers'}`, fix: layers.length ? `pass one of them with --layer, or drop --layer to read X` : 'drop --layer to read X (or --use-raw for raw/X)' });
    }
    return { x: `layers/${opts.layer}`, varPath: 'var' };
  }
  return { x: 'X', varPath: 'var' };
}

export async function openH5adSource(path: string, opts: H5adOptions = {}): Promise<CellSource> {
  const h5 = await openHdf5(path);
  try {
    const obs = readDataframe(path, h5, 'obs');
    const where = matrixLocation(path, h5, opts);
    const varDf = readDataframe(path, h5, where.varPath);
    const x = openXMatrix(path, h5, where.x);
    if (obs.index.length !== x.nCells) {
      throw new GearsInputError({ file: path, field: 'obs', problem: `has ${obs.index.length} cells but X has ${x.nCells} rows`, fix: 'the file is inconsistent: rewrite it with anndata' });
    }
    if (varDf.index.length !== x.nGenes) {
      throw new GearsInputError({ file: path, field: 'var', problem: `has ${varDf.index.length} genes but X has ${x.nGenes} columns`, fix: 'the file is inconsistent: rewrite it with anndata' });
    }
    let genes: string[];
    if (opts.geneColumn) {
      const col = varDf.strings(opts.geneColumn);
      if (!col) {
        throw new GearsInputError({ file: path, field: `var/${opts.geneColumn}`, problem: `column is missing; var has: ${['(index)', ...varDf.columns].join(', ')}`, fix: 'pass one of these with --gene-column' });
      }
      genes = col;
    } else {
      const name = DEFAULT_GENE_COLUMNS.find((c) => varDf.columns.includes(c));
      genes = (name && varDf.strings(name)) || varDf.index;
    }
    return {
      file: path,
      format: 'h5ad',
      nCells: x.nCells,
      genes,
      geneIds: varDf.index,
      cellIds: obs.index,
      metadataColumns: obs.columns,
      metadataFile: `${path} (obs)`,
      metadata: (c) => obs.strings(c),
      numericMetadata: (c) => obs.numbers(c),
      emptyCells: x.emptyCells,
      blocks: (n) => x.blocks(n),
      close: () => {
        h5.close();
      },
    };
  } catch (e) {
    h5.close();
    throw e;
  }
}
