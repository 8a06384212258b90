import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { GearsUsageError, writeFileAtomic } from '@gears-pipeline/core';
import type { Command } from '../command.ts';
import { exampleConfigText } from '../config.ts';

export const initCommand: Command = {
  name: 'init',
  summary: 'write a commented example config (gears.config.json)',
  usage: [
    'usage: gears init [--config gears.config.json] [--force]',
    '',
    'Writes every setting with its default and a comment. An existing file is kept unless --force.',
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
    writeFileAtomic(path, exampleConfigText());
    process.stdout.write(`wrote ${path}\n`);
  },
};
