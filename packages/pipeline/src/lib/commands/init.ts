import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { GearsUsageError, writeFileAtomic } from '@gears-pipeline/core';
import type { Command } from '../command.ts';
import { exampleConfigJson, exampleConfigText } from '../config.ts';
import { CONFIG_SCHEMA_FILE, configJsonSchema, configJsonSchemaText } from '../config-json-schema.ts';

export const initCommand: Command = {
  name: 'init',
  summary: 'write an example config (gears.config.json) and its JSON Schema',
  usage: [
    'usage: gears init [--config gears.config.json] [--force]',
    '',
    'Writes every setting with its default as plain JSON, and gears.config.schema.json beside it',
    '(the config\'s "$schema"; editors show each field\'s description from it). A name ending in',
    '.jsonc gets the commented form instead. An existing config is kept unless --force.',
  ].join('\n'),
  options: {
    config: { type: 'string', short: 'c' },
    force: { type: 'boolean' },
  },
  async run(values, _pos, ctx) {
    const path = resolve(ctx.cwd, String(values.config ?? 'gears.config.json'));
    if (existsSync(path) && !values.force) {
      throw new GearsUsageError(`${path} already exists; keep it, or pass --force to overwrite it`);
    }
    if (path.endsWith('.jsonc')) {
      writeFileAtomic(path, exampleConfigText());
      process.stdout.write(`wrote ${path}\n`);
      return;
    }
    const schemaPath = join(dirname(path), CONFIG_SCHEMA_FILE);
    if (existsSync(schemaPath)) {
      // only ever replace a schema gears wrote (another file of that name is the user's)
      let ours = false;
      try {
        ours = (JSON.parse(readFileSync(schemaPath, 'utf8')) as { $id?: unknown }).$id === configJsonSchema().$id;
      } catch {
        ours = false;
      }
      if (!ours) throw new GearsUsageError(`${schemaPath} exists and was not written by gears; move it away or write the config elsewhere`);
    }
    writeFileAtomic(schemaPath, configJsonSchemaText());
    writeFileAtomic(path, exampleConfigJson(`./${basename(schemaPath)}`));
    process.stdout.write(`wrote ${path} (schema: ${schemaPath})\n`);
  },
};
