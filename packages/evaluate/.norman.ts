import { compareWithNormanFits } from './src/lib/testing/norman-gi.ts';
for (const gs of ['hi_mean', 'all'] as const) {
  const t = Date.now();
  const r = compareWithNormanFits('data/gi', { geneSet: gs });
  console.log(gs, r.nDoubles, r.nMatched, r.nGenes, r.spearman, (Date.now() - t) / 1000, 's');
}
