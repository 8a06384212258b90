/**
 * Condition names in the GEARS convention: `ctrl` for control cells, `A+ctrl` for a single
 * perturbation, `A+B` (any number of genes, `A+B+C`) for combinations. The canonical form sorts
 * the genes, so `B+A`, `A+B` and `ctrl+A` / `A+ctrl` each name one condition (the reference treats
 * `ctrl+A` and `A+ctrl` as different strings; users are surprised by that, GEARS issue #6).
 */
export const CONTROL = 'ctrl';

export interface ConditionParseOptions {
  /** Label(s) that mean control in the raw data, e.g. scPerturb's `control`, `non-targeting`. */
  controlLabels?: readonly string[];
  /** Separator between genes in the raw label: `+` (GEARS) by default, `_` for `A_B`. */
  separator?: string;
}

export const DEFAULT_CONTROL_LABELS = ['ctrl', 'control', 'non-targeting', 'NT', 'non_targeting'];

/** The perturbed genes of a canonical or raw GEARS condition (`ctrl` parts dropped), sorted. */
export function conditionGenes(condition: string, separator = '+'): string[] {
  const parts = condition
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && s !== CONTROL);
  return [...new Set(parts)].sort();
}

/** Canonical name for a set of genes: `ctrl`, `A+ctrl`, or the sorted genes joined by `+`. */
export function conditionName(genes: readonly string[]): string {
  const g = [...new Set(genes)].sort();
  if (g.length === 0) return CONTROL;
  if (g.length === 1) return `${g[0]}+${CONTROL}`;
  return g.join('+');
}

/**
 * Maps a raw perturbation label onto the canonical GEARS condition. Returns `ctrl` for any
 * control label (case-insensitive), otherwise the canonical gene-set name.
 */
export function canonicalCondition(raw: string, opts: ConditionParseOptions = {}): string {
  const label = raw.trim();
  const controls = (opts.controlLabels ?? DEFAULT_CONTROL_LABELS).map((s) => s.toLowerCase());
  if (label === '' ) return '';
  if (controls.includes(label.toLowerCase())) return CONTROL;
  const sep = opts.separator ?? '+';
  const genes = label
    .split(sep)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !controls.includes(s.toLowerCase()));
  return conditionName(genes);
}

export function isControl(condition: string): boolean {
  return condition === CONTROL;
}

/** What is wrong with a raw perturbation label, beyond what `canonicalCondition` silently tidies. */
export interface ConditionLabelCheck {
  /** a one-line problem that makes the label unusable: an empty gene (`A++B`) or a repeated gene (`A+A`) */
  error?: string;
  /** the label has white space (e.g. `G + ctrl`): accepted (trimmed), worth a warning */
  spaces: boolean;
}

/**
 * Checks a raw label before `canonicalCondition` maps it: `A++B` (an empty gene) would become
 * `A+B`, and `A+A` would become `A+ctrl` — doubles and singles nobody made — so both are errors.
 */
export function checkConditionLabel(raw: string, opts: ConditionParseOptions = {}): ConditionLabelCheck {
  const spaces = /\s/.test(raw.trim()) || (raw.trim() !== '' && raw !== raw.trim());
  const label = raw.trim();
  const controls = (opts.controlLabels ?? DEFAULT_CONTROL_LABELS).map((s) => s.toLowerCase());
  if (label === '' || controls.includes(label.toLowerCase())) return { spaces };
  const sep = opts.separator ?? '+';
  const parts = label.split(sep).map((s) => s.trim());
  const empty = parts.findIndex((p) => p === '');
  if (empty >= 0) {
    return { spaces, error: `gene ${empty + 1} of ${parts.length} is empty (nothing between separators "${sep}")` };
  }
  const genes = parts.filter((p) => !controls.includes(p.toLowerCase()));
  const seen = new Set<string>();
  for (const g of genes) {
    if (seen.has(g)) return { spaces, error: `gene ${g} is named twice (a perturbation of one gene is ${g}${sep}ctrl)` };
    seen.add(g);
  }
  return { spaces };
}
