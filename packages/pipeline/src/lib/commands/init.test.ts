import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { silentLogger } from '@gears-pipeline/core';
import { initCommand } from './init.ts';
import { readConfigFile } from '../config.ts';
import { defaultConfig } from '../config-schema.ts';
import { CONFIG_SCHEMA_FILE, configJsonSchemaText } from '../config-json-schema.ts';

async function init(dir: string, config?: string): Promise<void> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    await initCommand.run(config ? { config } : {}, [], { log: silentLogger, cwd: dir });
  } finally {
    process.stdout.write = write;
  }
}

test('gears init writes plain JSON with $schema, and the schema validates it (ajv) and rejects mistakes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-init-'));
  try {
    await init(dir);
    const text = readFileSync(join(dir, 'gears.config.json'), 'utf8');
    const config = JSON.parse(text); // plain JSON: no comments
    assert.equal(config.$schema, `./${CONFIG_SCHEMA_FILE}`);
    const schema = JSON.parse(readFileSync(join(dir, CONFIG_SCHEMA_FILE), 'utf8'));
    const validate = new Ajv2020({ strict: true }).compile(schema);
    assert.ok(validate(config), JSON.stringify(validate.errors));
    assert.equal(validate({ train: { epochs: 0 } }), false);
    assert.equal(validate({ train: { epoch: 3 } }), false);
    assert.equal(validate({ split: { type: 'random' } }), false);
    assert.ok(validate({ $schema: 'x', train: { epochs: 3, composition: 'singles' }, ingest: { obsFilter: ['a=b'] } }));
    // the loader accepts the $schema key and reads back the defaults
    assert.deepEqual(readConfigFile(join(dir, 'gears.config.json')), defaultConfig());
    // a second init keeps the user's config
    await assert.rejects(init(dir), /already exists/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gears init refuses to replace a gears.config.schema.json it did not write', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-init-'));
  try {
    writeFileSync(join(dir, CONFIG_SCHEMA_FILE), '{"mine": true}');
    await assert.rejects(init(dir), /was not written by gears/);
    assert.equal(readFileSync(join(dir, CONFIG_SCHEMA_FILE), 'utf8'), '{"mine": true}');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a .jsonc name gets the commented form, which the loader reads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-init-'));
  try {
    await init(dir, 'gears.config.jsonc');
    const text = readFileSync(join(dir, 'gears.config.jsonc'), 'utf8');
    assert.match(text, /^\/\/ /m);
    assert.deepEqual(readConfigFile(join(dir, 'gears.config.jsonc')), defaultConfig());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the shipped gears.config.schema.json is the one generated from the config fields', () => {
  const shipped = readFileSync(new URL('../../../gears.config.schema.json', import.meta.url), 'utf8');
  assert.equal(shipped, configJsonSchemaText(), 'regenerate with: node --import tsx -e "import(\'./packages/pipeline/src/lib/config-json-schema.ts\').then((m) => process.stdout.write(m.configJsonSchemaText()))" > packages/pipeline/gears.config.schema.json');
});
