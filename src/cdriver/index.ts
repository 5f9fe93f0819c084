/**
 * C drivers compiled to WebAssembly, run against the model (README "Testing your C driver"): the
 * layer between wsk and simulation.
 */
export { CDriver, wasmFrames, type DriverExports, type SourceLines } from './c-driver.ts';
export { LinearHeap, type BlockKind, type HeapObserver } from './linear-heap.ts';
export {
  instantiateDriver,
  runDriverEntry,
  type LoadDriverOptions,
  type ScenarioHooks,
} from './load.ts';
export { startDriverUnload } from './unload.ts';
