/**
 * `gears` entry point. Exit codes: 0 success, 1 failure (one-line cause on stderr), 2 bad usage
 * (unknown command or flag, bad flag value).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger, describeSystemError, GearsInputError, GearsUsageError } from '@gears-pipeline/core';
import { commands } from './lib/commands/index.ts';
import { describeParseError, didYouMean, joinNegativeValues } from './lib/argv.ts';

/** The version of the installed `@gears-pipeline/pipeline` package (src/ and dist/ both sit one level below its package.json). */
export function gearsVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

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
    'gears --version (-V) prints the version',
    'run `gears <command> --help` for the options of one command',
  ].join('\n');
}

/** Where `main` writes its own messages (tests pass buffers; commands write their results to process.stdout). */
export interface CliStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export async function main(argv: string[], io: CliStreams = process): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(topUsage() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`${gearsVersion()}\n`);
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    const hint = didYouMean(name, commands.map((c) => c.name));
    io.stderr.write(`gears: unknown command '${name}'${hint}\n${hint ? "run 'gears --help' for all commands\n" : `${topUsage()}\n`}`);
    return 2;
  }
  const cmd = await entry.load();
  const options = { ...GLOBAL_OPTIONS, ...cmd.options };
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(rest, options), options, allowPositionals: true, strict: true });
  } catch (e) {
    io.stderr.write(`gears ${name}: ${describeParseError(e, options)}\nrun 'gears ${name} --help' for its options\n`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout.write(cmd.usage + '\n');
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
      io.stderr.write(`gears ${name}: ${e.message}\n`);
      return 2;
    }
    const msg = e instanceof GearsInputError ? e.message : describeSystemError(e) ?? `${(e as Error).message ?? String(e)}`;
    io.stderr.write(`gears ${name}: error: ${msg.split('\n')[0]}\n`);
    if (process.env.GEARS_DEBUG) io.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  }
}
