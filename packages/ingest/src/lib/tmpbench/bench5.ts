import { scanMtx } from '../mtx/order.ts';
import { parseMtx } from '../mtx/parse.ts';
const g = { path: '/tmp/ingestspeed/simmtx/mtx/matrix.mtx.gz', cellsAreColumns: true, nCells: 100000, nGenes: 5000 };
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
for (const keep of [0, 512 * 1024 * 1024]) {
  const t = cpu(); const w = performance.now();
  const s = await scanMtx(g, keep);
  console.log('scan keep', keep > 0, 'cpu', (cpu() - t).toFixed(2), 'wall', ((performance.now() - w) / 1000).toFixed(2), s.nnz, !!s.csr);
}
let t = cpu(); let w = performance.now(); let n = 0;
for await (const b of parseMtx(g.path)) if ('n' in b) n += b.n;
console.log('parse only cpu', (cpu() - t).toFixed(2), 'wall', ((performance.now() - w) / 1000).toFixed(2), n);
