/**
 * Reads, validates and merges the pipeline configuration (file < CLI flags), and writes the
 * commented example for `gears init`. Comments (`//` lines) are allowed in the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { GearsInputError, GearsUsageError } from '@gears-pipeline/core';
import { CONFIG_FIELDS, defaultConfig, type ConfigField, type GearsConfig } from './config-schema.ts';
import { didYouMean } from './argv.ts';

export function stripJsonComments(text: string): string {
  // Only whole-line and trailing // comments outside strings; enough for the file gears init writes.
  return text
    .split('\n')
    .map((line) => {
      let inString = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (ch === '"' && line[i - 1] !== '\\') inString = !inString;
        if (!inString && ch === '/' && line[i + 1] === '/') return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
}

/** A flag's bad value is bad usage (exit 2); a config file's is bad input (exit 1, names the file). */
function checkValue(fl: ConfigField, v: unknown, where: string, file: string | undefined): unknown {
  const bad = (problem: string, fix: string) =>
    file === undefined
      ? new GearsUsageError(`--${fl.section}.${fl.key}: ${problem}; ${fix}`)
      : new GearsInputError({ file, field: `${fl.section}.${fl.key}`, problem: `${problem} (${where})`, fix });
  switch (fl.type) {
    case 'string':
      if (typeof v !== 'string') throw bad(`must be a string, got ${JSON.stringify(v)}`, `write it in quotes, e.g. ${JSON.stringify(fl.default)}`);
      return v;
    case 'boolean':
      if (v === 'true') return true;
      if (v === 'false') return false;
      if (typeof v !== 'boolean') throw bad(`must be true or false, got ${JSON.stringify(v)}`, 'use true or false');
      return v;
    case 'number':
    case 'integer': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw bad(`must be a number, got ${JSON.stringify(v)}`, `e.g. ${JSON.stringify(fl.default)}`);
      if (fl.type === 'integer' && !Number.isInteger(n)) throw bad(`must be a whole number, got ${n}`, `e.g. ${JSON.stringify(fl.default)}`);
      if (fl.min !== undefined && n < fl.min) throw bad(`must be ≥ ${fl.min}, got ${n}`, `use a value ≥ ${fl.min}`);
      if (fl.max !== undefined && n > fl.max) throw bad(`must be ≤ ${fl.max}, got ${n}`, `use a value ≤ ${fl.max}`);
      return n;
    }
    case 'enum':
      if (typeof v !== 'string' || !fl.values!.includes(v)) throw bad(`must be one of ${fl.values!.join(', ')}; got ${JSON.stringify(v)}`, `pick one of ${fl.values!.join(', ')}`);
      return v;
    case 'string[]': {
      const arr = typeof v === 'string' ? (v === '' ? [] : v.split(',').map((s) => s.trim())) : v;
      if (!Array.isArray(arr) || arr.some((x) => typeof x !== 'string')) throw bad(`must be a list of strings, got ${JSON.stringify(v)}`, 'write a JSON array of strings, or a comma-separated flag value');
      return arr;
    }
  }
}

/** Validates a parsed config object: unknown sections/keys and wrong types are errors naming the field. */
export function validateConfig(raw: unknown, file: string): GearsConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new GearsInputError({ file, field: '(root)', problem: 'must be a JSON object', fix: 'run `gears init` for a valid example' });
  }
  const out = defaultConfig();
  for (const [section, body] of Object.entries(raw as Record<string, unknown>)) {
    if (section === '$schema' || section === '$comment') continue;
    if (!(section in out)) {
      throw new GearsInputError({ file, field: section, problem: `is not a config section${didYouMean(section, Object.keys(out))}`, fix: `use one of ${Object.keys(out).join(', ')}` });
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new GearsInputError({ file, field: section, problem: 'must be an object', fix: 'run `gears init` for a valid example' });
    }
    for (const [key, v] of Object.entries(body as Record<string, unknown>)) {
      const fl = CONFIG_FIELDS.find((x) => x.section === section && x.key === key);
      if (!fl) {
        const keys = CONFIG_FIELDS.filter((x) => x.section === section).map((x) => x.key);
        throw new GearsInputError({ file, field: `${section}.${key}`, problem: `is not a known setting${didYouMean(key, keys)}`, fix: `use one of ${keys.join(', ')}` });
      }
      out[section][key] = checkValue(fl, v, 'in the config file', file);
    }
  }
  return out;
}

export function readConfigFile(path: string): GearsConfig {
  if (!existsSync(path)) {
    throw new GearsUsageError(`config file ${path} does not exist (run \`gears init\` to write one)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripJsonComments(readFileSync(path, 'utf8')));
  } catch (e) {
    throw new GearsInputError({ file: path, field: '(syntax)', problem: `is not valid JSON (${(e as Error).message})`, fix: 'fix the syntax, or run `gears init` for a valid example' });
  }
  return validateConfig(parsed, path);
}

/** CLI options for every config field: `--<section>.<key> value`. */
export function configFlagOptions(): Record<string, { type: 'string'; multiple?: boolean }> {
  const o: Record<string, { type: 'string'; multiple?: boolean }> = {};
  for (const fl of CONFIG_FIELDS) o[`${fl.section}.${fl.key}`] = fl.type === 'string[]' ? { type: 'string', multiple: true } : { type: 'string' };
  return o;
}

/** Applies `--section.key` flags over a config. */
export function applyFlags(config: GearsConfig, values: Record<string, unknown>): GearsConfig {
  const out = structuredClone(config);
  for (const fl of CONFIG_FIELDS) {
    const v = values[`${fl.section}.${fl.key}`];
    if (v === undefined) continue;
    const raw = fl.type === 'string[]' && Array.isArray(v) ? v.flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean) : v;
    out[fl.section][fl.key] = checkValue(fl, raw, `flag --${fl.section}.${fl.key}`, undefined);
  }
  return out;
}

/**
 * The plain-JSON example `gears init` writes (jq, Python's json and Nextflow read it): every field
 * with its default, and `$schema` naming the schema file (descriptions live there).
 */
export function exampleConfigJson(schemaRef: string): string {
  return JSON.stringify({ $schema: schemaRef, ...defaultConfig() }, null, 2) + '\n';
}

/** The commented example (JSONC) `gears init --config x.jsonc` writes: every field, its default and what it means. */
export function exampleConfigText(): string {
  const sections = [...new Set(CONFIG_FIELDS.map((x) => x.section))];
  const lines = ['// gears-pipeline configuration. Every field is optional; shown values are the defaults.', '// Each field can also be set on the command line: --<section>.<field> value', '{'];
  sections.forEach((s, si) => {
    lines.push(`  "${s}": {`);
    const fields = CONFIG_FIELDS.filter((x) => x.section === s);
    fields.forEach((fl, i) => {
      const choices = fl.values ? ` (${fl.values.join(' | ')})` : '';
      lines.push(`    // ${fl.doc}${choices}`);
      lines.push(`    "${fl.key}": ${JSON.stringify(fl.default)}${i < fields.length - 1 ? ',' : ''}`);
    });
    lines.push(`  }${si < sections.length - 1 ? ',' : ''}`);
  });
  lines.push('}');
  return lines.join('\n') + '\n';
}
