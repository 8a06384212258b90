// Runs one benchmark module in its own process and prints its JSON result (plus peak RSS) last.
import { pathToFileURL } from 'node:url';
import { resourceUsage } from 'node:process';

const mod = await import(pathToFileURL(process.argv[2]).href);
const t0 = performance.now();
const result = await mod.run();
const seconds = (performance.now() - t0) / 1000;
// maxRSS is in KiB on Linux
const peakRssMiB = Math.round(resourceUsage().maxRSS / 1024);
process.stdout.write('\n' + JSON.stringify({ ...result, totalSeconds: Number(seconds.toFixed(2)), peakRssMiB }) + '\n');
