// Worker-thread entry for parallel GI fits. Workers do not inherit the tsx loader of the main
// thread, so register it here before loading the TypeScript implementation.
import { register } from 'tsx/esm/api';

register();
await import('./worker-impl.ts');
