/** The bundled whole-screen Norman 2019 pseudobulk table as dataset statistics. */
import { resolve } from 'node:path';
import type { DatasetStats } from '@gears-pipeline/core';
import { readPseudobulkStats } from '@gears-pipeline/ingest';

export const NORMAN_PSEUDOBULK = resolve(import.meta.dirname, '../../data/norman2019-pseudobulk/lfc.tsv.gz');

export async function loadNormanPseudobulk(): Promise<DatasetStats> {
  return readPseudobulkStats(NORMAN_PSEUDOBULK, { kind: 'lfc' });
}
