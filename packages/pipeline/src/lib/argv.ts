/**
 * Command-line helpers around Node's parseArgs: negative numbers after a space, "did you mean"
 * for mistyped commands and flags, and parse errors turned into one-line usage messages.
 */
import type { OptionSpec } from './command.ts';

/** Suggestions farther than this many edits (or a third of the name) are noise, not help. */
export const MAX_SUGGESTION_DISTANCE = 3;

/**
 * Edit distance with insert, delete, substitute and swap of two neighbours each costing 1
 * (optimal string alignment): `rnu` is one slip from `run`, as a typist sees it.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate to a mistyped name, or undefined when none is near enough to be meant. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(MAX_SUGGESTION_DISTANCE, Math.max(1, Math.ceil(name.length / 3)));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    // case slips (--Train.Epochs) count as one edit, not one per letter
    const d = c.toLowerCase() === name.toLowerCase() ? 1 : editDistance(name, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= limit ? best : undefined;
}

/** `; did you mean X?` or an empty string. */
export function didYouMean(name: string, candidates: readonly string[], prefix = ''): string {
  const c = closest(name, candidates);
  return c === undefined ? '' : `; did you mean ${prefix}${c}?`;
}

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * Joins `--flag -3` into `--flag=-3` for options that take a value, so a negative number after a
 * space reaches the field's own range check instead of parseArgs' "argument is ambiguous".
 */
export function joinNegativeValues(args: readonly string[], options: OptionSpec): string[] {
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(options)) {
    if (o.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (o.short) takesValue.add(`-${o.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    if (takesValue.has(a) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(a.startsWith('--') ? `${a}=${next}` : `${a}${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/**
 * One line for a parseArgs error, with a suggestion for an unknown option. Node's own messages
 * run to three lines and talk about positionals; users need the flag and the fix.
 */
export function describeParseError(e: unknown, options: OptionSpec): string {
  const err = e as { code?: string; message?: string };
  const msg = String(err.message ?? e);
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const m = /Unknown option '(-{1,2})([^'=]+)/.exec(msg);
    if (m) {
      const names = Object.keys(options);
      const hint = m[1] === '--' ? didYouMean(m[2], names, '--') : '';
      return `unknown option ${m[1]}${m[2]}${hint || ' (see --help for the options)'}`;
    }
  }
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const m = /Unexpected argument '([^']*)'/.exec(msg);
    return `unexpected argument '${m ? m[1] : '?'}' (options take the form --name value)`;
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const m = /Option '([^']+)'/.exec(msg);
    if (m && / argument missing/.test(msg)) return `option ${m[1].split(',').pop()!.trim().split(' ')[0]} needs a value`;
  }
  return msg.split('\n')[0];
}
