/**
 * The GI scores computed from the observed Norman 2019 pseudobulk changes must rank the 116
 * doubles that Norman et al. also fitted the same way their own fits do. Their fits used their
 * own normalisation and gene set, so agreement is in ranking, not in values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { compareWithNormanFits } from '../testing/norman-gi.ts';

const dataDir = fileURLToPath(new URL('../../../../../data/gi', import.meta.url));

test('GI scores from observed Norman changes rank combinations like Norman et al.', () => {
  const r = compareWithNormanFits(dataDir, { geneSet: 'hi_mean' });
  assert.equal(r.nDoubles, 126);
  assert.equal(r.nMatched, 116);
  assert.equal(r.nGenes, 89);
  // measured: mag 0.77, dcor 0.57, corr_fit 0.59, dcor_singles 0.54, eq_contr 0.69
  assert.ok(r.spearman.mag_vs_ts_norm > 0.6, `mag ${r.spearman.mag_vs_ts_norm}`);
  assert.ok(r.spearman.dcor > 0.4, `dcor ${r.spearman.dcor}`);
  assert.ok(r.spearman.corr_fit > 0.4, `corr_fit ${r.spearman.corr_fit}`);
  assert.ok(r.spearman.dcor_singles > 0.4, `dcor_singles ${r.spearman.dcor_singles}`);
  assert.ok(r.spearman.eq_contr_vs_dcor_ratio > 0.5, `eq_contr ${r.spearman.eq_contr_vs_dcor_ratio}`);
});
