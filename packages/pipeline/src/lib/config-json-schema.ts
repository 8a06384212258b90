/**
 * The JSON Schema (draft 2020-12) of gears.config.json, generated from CONFIG_FIELDS so the two
 * cannot drift. `gears init` writes it beside the config and points `$schema` at it, so editors
 * complete and check the fields offline; the package ships a copy (gears.config.schema.json).
 */
import { CONFIG_FIELDS, type ConfigField } from './config-schema.ts';

/** The file name of the schema, beside the config and in the package root. */
export const CONFIG_SCHEMA_FILE = 'gears.config.schema.json';

function fieldSchema(fl: ConfigField): Record<string, unknown> {
  const s: Record<string, unknown> = { description: fl.doc, default: fl.default };
  switch (fl.type) {
    case 'string':
      s.type = 'string';
      break;
    case 'boolean':
      s.type = 'boolean';
      break;
    case 'number':
    case 'integer':
      s.type = fl.type;
      if (fl.min !== undefined) s.minimum = fl.min;
      if (fl.max !== undefined) s.maximum = fl.max;
      break;
    case 'enum':
      s.enum = [...fl.values!];
      break;
    case 'string[]':
      s.type = 'array';
      s.items = { type: 'string' };
      break;
  }
  return s;
}

/** The schema object; every field optional, unknown sections and keys rejected (as the loader does). */
export function configJsonSchema(): Record<string, unknown> {
  const sections = [...new Set(CONFIG_FIELDS.map((f) => f.section))];
  const properties: Record<string, unknown> = {
    $schema: { type: 'string', description: 'where this schema lives (ignored by gears)' },
    $comment: { type: 'string' },
  };
  for (const section of sections) {
    const fields = CONFIG_FIELDS.filter((f) => f.section === section);
    properties[section] = {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(fields.map((f) => [f.key, fieldSchema(f)])),
    };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://github.com/gears-pipeline/gears-pipeline/gears.config.schema.json',
    title: 'gears-pipeline configuration',
    description: 'Every field is optional; defaults as shown. Each field is also a flag: --<section>.<field> value.',
    type: 'object',
    additionalProperties: false,
    properties,
  };
}

/** The schema as written to disk. */
export function configJsonSchemaText(): string {
  return JSON.stringify(configJsonSchema(), null, 2) + '\n';
}
