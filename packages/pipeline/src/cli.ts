/**
 * `gears` entry point. Exit codes: 0 success, 1 failure (one-line cause on stderr), 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { createLogger, describeSystemError, GearsInputError, GearsUsageError } from '@gears-pipeline/core';
import { commands } from './lib/commands/index.ts';

const GLOBAL_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  quiet: { type: 'boolean', short: 'q' },
  json: { type: 'boolean' },
} as const;

function topUsage(): string {
  const w = Math.max(...commands.map((c) => c.name.length), 4);
  return [
    'usage: gears <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'global options: --quiet (-q) no progress, --json JSON log lines, --help (-h)',
    'run `gears <command> --help` for the options of one command',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topUsage() + '\n');
    return name ? 0 : 2;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`gears: unknown command '${name}'\n${topUsage()}\n`);
    return 2;
  }
  const cmd = await entry.load();
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...cmd.options }, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`gears ${name}: ${(e as Error).message}\n${cmd.usage}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(cmd.usage + '\n');
    return 0;
  }
  const log = createLogger({ quiet: Boolean(parsed.values.quiet), json: Boolean(parsed.values.json) });
  try {
    const t0 = performance.now();
    await cmd.run(parsed.values as Record<string, string | boolean | string[] | undefined>, parsed.positionals, { log, cwd: process.cwd() });
    // maxRSS is KiB on Linux: the peak memory of the whole command, for benchmarks and pipelines.
    log.info('command finished', { command: name, seconds: Number(((performance.now() - t0) / 1000).toFixed(2)), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) });
    return 0;
  } catch (e) {
    if (e instanceof GearsUsageError) {
      process.stderr.write(`gears ${name}: ${e.message}\n`);
      return 2;
    }
    const msg = e instanceof GearsInputError ? e.message : describeSystemError(e) ?? `${(e as Error).message ?? String(e)}`;
    process.stderr.write(`gears ${name}: error: ${msg.split('\n')[0]}\n`);
    if (process.env.GEARS_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  }
}
