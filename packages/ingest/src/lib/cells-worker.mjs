// Worker-thread entry for writing cells.parquet beside the statistics pass (see cells-writer.ts).
// Plain JavaScript so it starts without a loader; it registers tsx to load the TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./cells-worker-body.ts');
