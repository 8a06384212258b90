import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeFileAtomic } from '@gears-pipeline/core';
import type { SimulatedData } from './simulate.ts';

/** Files describing what was simulated, written next to the matrix. */
export const TRUTH_FILES = {
  /** gene_symbol, go_id — the same layout as the bundled gene2go.tsv, so the graphs stage can use it */
  geneOntology: 'gene2go.tsv',
  /** regulator, target, weight — the ground-truth network */
  network: 'network.tsv',
  /** condition, kind, genes, n_cells, interaction, interaction_strength */
  conditions: 'conditions.tsv',
  /** condition, gene, latent_effect — non-zero latent log-expression changes */
  effects: 'effects.tsv.gz',
  /** the arguments, derived depth and sizes */
  summary: 'simulation.json',
} as const;

/** Latent changes smaller than this are omitted from effects.tsv.gz. */
const EFFECT_EPSILON = 1e-6;

/** Writes the ground truth of a simulation (each file atomically) into `dir`. */
export function writeSimulationTruth(sim: SimulatedData, dir: string, extra: Record<string, unknown> = {}): void {
  const names = sim.geneNames;
  const go = ['gene_symbol\tgo_id'];
  sim.geneOntology.forEach((terms, g) => terms.forEach((t) => go.push(`${names[g]}\t${t}`)));
  writeFileAtomic(join(dir, TRUTH_FILES.geneOntology), go.join('\n') + '\n');

  const net = sim.network;
  const edges = ['regulator\ttarget\tweight'];
  for (let e = 0; e < net.source.length; e++) edges.push(`${names[net.source[e]]}\t${names[net.target[e]]}\t${net.weight[e].toFixed(6)}`);
  writeFileAtomic(join(dir, TRUTH_FILES.network), edges.join('\n') + '\n');

  const conds = ['condition\tkind\tgenes\tn_cells\tinteraction\tinteraction_strength'];
  for (const c of sim.conditions) {
    conds.push([c.name, c.kind, c.genes.join('+'), c.nCells, c.interaction, c.interactionStrength.toFixed(4)].join('\t'));
  }
  writeFileAtomic(join(dir, TRUTH_FILES.conditions), conds.join('\n') + '\n');

  const G = names.length;
  const eff = ['condition\tgene\tlatent_effect'];
  sim.conditions.forEach((c, k) => {
    for (let g = 0; g < G; g++) {
      const v = sim.latentEffect[k * G + g];
      if (Math.abs(v) > EFFECT_EPSILON) eff.push(`${c.name}\t${names[g]}\t${v.toFixed(5)}`);
    }
  });
  writeFileAtomic(join(dir, TRUTH_FILES.effects), gzipSync(eff.join('\n') + '\n'));

  const summary = {
    args: sim.args,
    genes: G,
    cells: sim.cellCondition.length,
    conditions: sim.conditions.length,
    singles: sim.conditions.filter((c) => c.kind === 'single').length,
    doubles: sim.conditions.filter((c) => c.kind === 'double').length,
    interactingDoubles: sim.conditions.filter((c) => c.interaction !== 'none').length,
    regulators: net.regulators.length,
    edges: net.source.length,
    meanLibrarySize: Number(sim.depth.toFixed(2)),
    ...extra,
  };
  writeFileAtomic(join(dir, TRUTH_FILES.summary), JSON.stringify(summary, null, 2) + '\n');
}
