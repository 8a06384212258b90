// Runs one benchmark module in its own process and prints its JSON result (plus peak RSS) last.
import { pathToFileURL } from 'node:url';
import { resourceUsage, cpuUsage } from 'node:process';
import { loadavg } from 'node:os';

const mod = await import(pathToFileURL(process.argv[2]).href);
const t0 = performance.now();
const cpu0 = cpuUsage();
const load0 = loadavg()[0];
const result = await mod.run();
const seconds = (performance.now() - t0) / 1000;
const cpu = cpuUsage(cpu0);
// CPU time of this process (all its threads; child processes it spawns are not included), and the
// machine's 1-minute load average before and after: the machine is shared, wall time alone misleads
const cpuSeconds = Number(((cpu.user + cpu.system) / 1e6).toFixed(2));
const loadAverage1m = [Number(load0.toFixed(2)), Number(loadavg()[0].toFixed(2))];
// maxRSS is in KiB on Linux
const peakRssMiB = Math.round(resourceUsage().maxRSS / 1024);
process.stdout.write('\n' + JSON.stringify({ ...result, totalSeconds: Number(seconds.toFixed(2)), cpuSeconds, loadAverage1m, peakRssMiB }) + '\n');
