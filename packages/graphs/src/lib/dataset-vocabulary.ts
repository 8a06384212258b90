/**
 * What the split and graph stages both need from the dataset directory: the measured genes,
 * the conditions, the GO annotations and the perturbation vocabulary built from them, with
 * the conditions outside the vocabulary set aside by name (reference `filter_pert_in_go`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATASET_FILES, GearsInputError, conditionGenes, readParquetColumns } from '@gears-pipeline/core';
import { BUNDLED_HUMAN_GENE2GO, BUNDLED_HUMAN_GENE_ALIASES, readGene2Go, type Gene2Go, type Ontology } from './go/gene2go.ts';
import { annotateByAlias, readAliasTable, type AliasResolution } from './go/aliases.ts';
import { buildVocabulary, filterConditionsInVocabulary, type ConditionFilter, type PerturbationVocabulary } from './go/vocabulary.ts';

export interface VocabularyArgs {
  /** dataset directory written by `gears ingest` */
  dataset: string;
  /** gene → GO table (TSV or GAF, optionally .gz); default: the bundled human table */
  gene2go?: string;
  ontologies?: Ontology[];
  evidenceCodes?: string[];
  /** a file with one gene symbol per line: the vocabulary candidates instead of measured + perturbed genes */
  geneList?: string;
  /**
   * alias table (symbol, alias columns) for perturbed genes under old symbols; default: the
   * bundled human table when gene2go is the bundled human table, else none; false: never
   */
  aliases?: string | false;
}

export interface DatasetVocabulary {
  genes: string[];
  conditions: string[];
  gene2go: Gene2Go;
  gene2goPath: string;
  vocabulary: PerturbationVocabulary;
  filter: ConditionFilter;
  /** perturbed genes annotated through an alias */
  aliasResolved: AliasResolution[];
}

/** Reads the dataset's genes and conditions and builds the perturbation vocabulary. */
export async function loadDatasetVocabulary(args: VocabularyArgs): Promise<DatasetVocabulary> {
  const genesPath = join(args.dataset, DATASET_FILES.genes);
  const conditionsPath = join(args.dataset, DATASET_FILES.conditions);
  if (!existsSync(genesPath) || !existsSync(conditionsPath)) {
    throw new GearsInputError({ file: args.dataset, field: '(dataset)', problem: `has no ${DATASET_FILES.genes} / ${DATASET_FILES.conditions}`, fix: 'run `gears ingest` first, or pass --dataset <dir written by gears ingest>' });
  }
  const genes = ((await readParquetColumns(genesPath, ['gene'])).gene as unknown[]).map(String);
  const conditions = ((await readParquetColumns(conditionsPath, ['condition'])).condition as unknown[]).map(String);
  const gene2goPath = args.gene2go ?? BUNDLED_HUMAN_GENE2GO;
  const gene2go = readGene2Go(gene2goPath, { ontologies: args.ontologies, evidenceCodes: args.evidenceCodes });
  const perturbed = conditions.flatMap((c) => conditionGenes(c));
  const aliasPath = args.aliases === false ? undefined : (args.aliases ?? (gene2goPath === BUNDLED_HUMAN_GENE2GO ? BUNDLED_HUMAN_GENE_ALIASES : undefined));
  const aliasResolved = aliasPath ? annotateByAlias(gene2go, perturbed, readAliasTable(aliasPath)) : [];
  let candidates: string[];
  if (args.geneList) {
    if (!existsSync(args.geneList)) throw new GearsInputError({ file: args.geneList, field: '(file)', problem: 'does not exist', fix: 'pass --gene-list <file with one gene symbol per line>' });
    candidates = readFileSync(args.geneList, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s && !s.startsWith('#'));
  } else {
    candidates = [...genes, ...perturbed];
  }
  const vocabulary = buildVocabulary(candidates, gene2go);
  if (vocabulary.genes.length === 0) {
    throw new GearsInputError({ file: gene2goPath, field: 'symbol', problem: 'none of the data set genes has a GO annotation in this table', fix: 'check the gene symbols (species, symbol vs Ensembl id: ingest --gene-column), or pass --gene2go with a table for this organism' });
  }
  return { genes, conditions, gene2go, gene2goPath, vocabulary, filter: filterConditionsInVocabulary(conditions, vocabulary), aliasResolved };
}
