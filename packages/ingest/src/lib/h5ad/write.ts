/**
 * Writes a small AnnData `.h5ad` in the on-disk layout anndata uses (X as CSR, CSC or dense;
 * obs / var dataframes with `_index`, string and categorical columns). Used by tests to build
 * inputs of every layout; large synthetic data sets use the simulator.
 */
import { createHdf5, type H5Group } from './open.ts';

export interface H5adSpec {
  nCells: number;
  nGenes: number;
  /** dense row-major cells × genes values */
  X: Float32Array | Float64Array;
  layout: 'csr' | 'csc' | 'dense';
  cellIds: string[];
  /** var index */
  geneIds: string[];
  /** extra var columns (e.g. gene_name) */
  varColumns?: Record<string, string[]>;
  /** obs columns; written as categoricals unless listed in `plainObs` */
  obs: Record<string, string[]>;
  plainObs?: string[];
  /** numeric obs columns */
  numericObs?: Record<string, Float64Array>;
  /** gzip the datasets */
  gzip?: boolean;
}

function dataframe(parent: H5Group, name: string, index: string[], cols: Record<string, string[]>, plain: string[], numeric: Record<string, Float64Array>): void {
  const g = parent.create_group(name);
  g.create_attribute('encoding-type', 'dataframe');
  g.create_attribute('encoding-version', '0.2.0');
  g.create_attribute('_index', '_index');
  const order = [...Object.keys(cols), ...Object.keys(numeric)];
  g.create_attribute('column-order', order.length ? order : []);
  g.create_dataset({ name: '_index', data: index });
  for (const [k, v] of Object.entries(cols)) {
    if (plain.includes(k)) {
      g.create_dataset({ name: k, data: v });
      continue;
    }
    const cats = [...new Set(v)].sort();
    const code = new Map(cats.map((c, i) => [c, i]));
    const cg = g.create_group(k);
    cg.create_attribute('encoding-type', 'categorical');
    cg.create_attribute('encoding-version', '0.2.0');
    cg.create_dataset({ name: 'categories', data: cats });
    cg.create_dataset({ name: 'codes', data: Int8Array.from(v, (x) => code.get(x)!) });
  }
  for (const [k, v] of Object.entries(numeric)) g.create_dataset({ name: k, data: v });
}

export async function writeH5ad(path: string, s: H5adSpec): Promise<void> {
  const f = await createHdf5(path);
  try {
    f.create_attribute('encoding-type', 'anndata');
    f.create_attribute('encoding-version', '0.1.0');
    const comp = s.gzip ? { compression: 'gzip' as const, compression_opts: 4 } : {};
    const chunked = (n: number) => (s.gzip ? { chunks: [Math.max(1, Math.min(n, 4096))] } : {});
    if (s.layout === 'dense') {
      f.create_dataset({ name: 'X', data: Float32Array.from(s.X), shape: [s.nCells, s.nGenes], ...(s.gzip ? { chunks: [Math.min(s.nCells, 64), s.nGenes], ...comp } : {}) });
    } else {
      const major = s.layout === 'csr' ? s.nCells : s.nGenes;
      const minor = s.layout === 'csr' ? s.nGenes : s.nCells;
      const at = (a: number, b: number) => (s.layout === 'csr' ? a * s.nGenes + b : b * s.nGenes + a);
      const indptr = new Int32Array(major + 1);
      const idx: number[] = [];
      const val: number[] = [];
      for (let a = 0; a < major; a++) {
        for (let b = 0; b < minor; b++) {
          const v = s.X[at(a, b)];
          if (v !== 0) {
            idx.push(b);
            val.push(v);
          }
        }
        indptr[a + 1] = idx.length;
      }
      const g = f.create_group('X');
      g.create_attribute('encoding-type', s.layout === 'csr' ? 'csr_matrix' : 'csc_matrix');
      g.create_attribute('encoding-version', '0.1.0');
      g.create_attribute('shape', new BigInt64Array([BigInt(s.nCells), BigInt(s.nGenes)]));
      g.create_dataset({ name: 'data', data: Float32Array.from(val), ...chunked(val.length), ...(s.gzip && val.length ? comp : {}) });
      g.create_dataset({ name: 'indices', data: Int32Array.from(idx), ...chunked(idx.length), ...(s.gzip && idx.length ? comp : {}) });
      g.create_dataset({ name: 'indptr', data: indptr });
    }
    dataframe(f, 'obs', s.cellIds, s.obs, s.plainObs ?? [], s.numericObs ?? {});
    dataframe(f, 'var', s.geneIds, s.varColumns ?? {}, Object.keys(s.varColumns ?? {}), {});
    for (const name of ['uns', 'obsm', 'varm', 'obsp', 'varp', 'layers']) {
      const g = f.create_group(name);
      g.create_attribute('encoding-type', 'dict');
      g.create_attribute('encoding-version', '0.1.0');
    }
  } finally {
    f.close();
  }
}
