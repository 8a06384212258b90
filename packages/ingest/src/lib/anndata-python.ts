/** Finds a Python interpreter that imports anndata (Debian's python3-anndata): used by tests that open our h5ad outputs with anndata, and shipped because other packages' tests import it through the package index. */
import { spawnSync } from 'node:child_process';

/** `python3` when it imports anndata, else Debian's /usr/bin/python3 (pyenv shims hide it), else undefined. */
export function pythonWithAnndata(): string | undefined {
  for (const py of ['python3', '/usr/bin/python3']) {
    if (spawnSync(py, ['-c', 'import anndata'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}

export const ANNDATA_SKIP_MESSAGE = 'python3 cannot import anndata (apt-get install -y python3-anndata); the file was not opened with anndata';
