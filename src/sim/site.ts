/**
 * The driver's own file:line for a report (docs/design.md#stacks-and-allocation-sites: "The
 * driver's file:line is captured at the moment of a violation"): the first frame of the current
 * stack that is not wsksim's own code (its src/ directory), not a dependency and not Node's. Stack
 * traces are source-mapped under vitest and tsx, so the line is the TypeScript source line.
 *
 * Display only: a site never feeds a run's decisions or its trace hash, so a path that differs
 * between machines cannot make two runs differ.
 */

/**
 * A file URL or a path as one '/'-separated path: `C:\\x\\a.ts` and `file:///C:/x/a.ts` become
 * `C:/x/a.ts` (Windows), `file:///x/a.ts` becomes `/x/a.ts`; what is compared and shown.
 */
export function slashPath(raw: string): string {
  const path = raw.startsWith('file://')
    ? decodeURIComponent(new URL(raw).pathname)
    : raw.replace(/\\/g, '/');
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

/** This package's src/ directory (dist/ in an installed package), as slashPath spells it. */
const OWN_SOURCE = slashPath(new URL('..', import.meta.url).href);
const PACKAGE_ROOT = slashPath(new URL('../..', import.meta.url).href);
/** '.ts' from the checkout's src/, '.js' from an installed package's compiled dist/. */
const OWN_EXTENSION = /\.[jt]s$/.exec(new URL(import.meta.url).pathname)?.[0] ?? '.ts';
/** Frames kept while looking for the driver's: deep enough for the model's call chains. */
const STACK_DEPTH = 60;

/**
 * `file:line` of the innermost caller outside wsksim's src/, or null when there is none. With
 * `below`, only frames under the outermost frame of that wsksim file count: a choice's site asked
 * for from inside a decider (which may itself live outside src/, in a test) is the driver's line
 * below the choice source, not the decider's.
 */
export function callerSite(below?: string, entry?: Function): string | null {
  const key = `${below ?? ''}\n${stackKey(below === undefined ? null : ownFile(below), entry)}`;
  let site = SITES.get(key);
  if (site === undefined) {
    site = locatedCallerSite(below);
    if (SITES.size >= SITES_HELD) SITES.clear();
    SITES.set(key, site);
  }
  return site;
}

/**
 * Sites by the raw stack they were found on. Formatting a stack with its source maps, as the
 * located site needs, costs tens of microseconds a frame, and a swarm run asks for the site of
 * every allocation; the raw positions of the frames (file, generated line and column) cost little
 * and decide the located stack, hence the site, exactly. Bounded: cleared when full.
 */
const SITES = new Map<string, string | null>();
const SITES_HELD = 4096;

/** V8's structured frames, as Error.prepareStackTrace receives them. */
const structuredFrames = (_: Error, frames: NodeJS.CallSite[]): NodeJS.CallSite[] => frames;

/**
 * Frames a stack key is looked for in first: the driver's frame is a few frames below callerSite
 * (a routine, the choice source), and capturing a frame costs about as much as formatting one, so
 * the whole depth is captured only when these do not reach it.
 */
const NEAR_DEPTH = 16;

/**
 * The raw positions of the frames that decide callerSite's site, one line each: the frames below
 * `entry` (callerSite itself when there is none; with `below`, the function of that file through
 * which the caller came in, whose frames and every frame above them V8 leaves out), past the
 * `below` frames among the first of them, down to the first frame locatedCallerSite could name (a
 * driver's, or a harness frame that means none). The frames beyond it cannot change the site.
 * With `entry`, the key assumes what holds of the choice source: what runs above it (a decider)
 * draws no choice of its own, so the outermost `below` frame is the one below `entry`.
 */
function stackKey(below: string | null, entry: Function | undefined): string {
  const top = entry ?? callerSite;
  let frames = capturedFrames(NEAR_DEPTH, top);
  let end = keyEnd(frames, below);
  if (end < 0 && frames.length === NEAR_DEPTH) {
    frames = capturedFrames(STACK_DEPTH, top);
    end = keyEnd(frames, below);
  }
  let key = '';
  const count = end < 0 ? frames.length : end + 1;
  for (let i = 0; i < count; i++) {
    const frame = frames[i] as NodeJS.CallSite;
    key += `${frame.getFileName()}:${frame.getLineNumber()}:${frame.getColumnNumber()}\n`;
  }
  return key;
}

/** The structured frames below the topmost call of `top`, at most `depth`. */
function capturedFrames(depth: number, top: Function): NodeJS.CallSite[] {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.prepareStackTrace = structuredFrames;
  Error.stackTraceLimit = depth;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  Error.captureStackTrace(holder, top);
  // Read while the structured formatter is in place: V8 formats the stack on first read.
  const frames = holder.stack ?? [];
  Error.prepareStackTrace = prepare;
  Error.stackTraceLimit = limit;
  return frames;
}

/**
 * The index of the frame that ends a stack key (stackKey), or -1 when `frames` do not hold it:
 * past the leading frames of `below`, the first frame that names the site or ends the search.
 */
function keyEnd(frames: readonly NodeJS.CallSite[], below: string | null): number {
  let start = 0;
  while (below !== null && start < frames.length && pathOf(frames[start]) === below) start++;
  for (let i = start; i < frames.length; i++) {
    if (endsSearch(frames[i] as NodeJS.CallSite)) return i;
  }
  return -1;
}

/** Whether locatedCallerSite stops at this frame: a driver's, or the harness's (no site). */
function endsSearch(frame: NodeJS.CallSite): boolean {
  const path = pathOf(frame);
  if (path === null) return false;
  if (path.startsWith('wasm://')) return !/^(Shim|Wsksim)[A-Z]/.test(frame.getFunctionName() ?? '');
  return isHarness(path) || !isForeign(path);
}

/** A frame's file as slashPath spells it, remembered by the raw name V8 gives; null for none. */
function pathOf(frame: NodeJS.CallSite | undefined): string | null {
  const file = frame?.getFileName();
  if (file === undefined || file === null) return null;
  let path = PATHS.get(file);
  if (path === undefined) {
    path = file.startsWith('wasm://') ? file : slashPath(file);
    PATHS.set(file, path);
  }
  return path;
}

const PATHS = new Map<string, string>();

/** callerSite from the source-mapped stack: what the site cache holds. */
function locatedCallerSite(below?: string): string | null {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = STACK_DEPTH;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const lines = stack.split('\n');
  const frames = lines.map(frameFile);
  const start = below === undefined ? 0 : lastIndexOf(frames, ownFile(below)) + 1;
  for (const [index, file] of frames.entries()) {
    if (index < start) continue;
    const wasm = wasmSite(lines[index] as string);
    if (wasm === RUNTIME) continue;
    if (wasm !== null) return wasm;
    if (file === null) continue;
    if (isHarness(file.path)) return null;
    if (isForeign(file.path)) continue;
    return `${shorten(file.path)}:${file.line}`;
  }
  return null;
}

/**
 * Frames of the simulator's event loop and of the runners above it: past them the stack is
 * whoever started the run (a test, the CLI), never a driver. An object the model made with no
 * driver frame on the stack (an accepted socket, allocated as a SYN arrives) has no site.
 */
function isHarness(path: string): boolean {
  return path === EVENT_LOOP || path.startsWith(RUNNERS);
}

const EVENT_LOOP = ownFile('sim/simulator.ts');
const RUNNERS = `${OWN_SOURCE}explore/`;

/** One frame of a thrown error's stack, as a report shows it. */
export interface SitedFrame {
  /** The frame is wsksim's own code (its src/). */
  readonly own: boolean;
  /** `file:line`, relative to the package root when inside it. */
  readonly site: string;
  /** The function's name, when V8 gave one. */
  readonly name: string | null;
}

/**
 * The located frames of an error's stack, innermost first, each marked as wsksim's own (its src/)
 * or not; frames of Node and of dependencies are dropped. Source-mapped as callerSite's.
 */
export function frameSites(stack: string): SitedFrame[] {
  const frames: SitedFrame[] = [];
  for (const text of stack.split('\n')) {
    const wasm = wasmSite(text);
    if (wasm !== null && wasm !== RUNTIME) {
      frames.push({ own: false, site: wasm, name: frameName(text) });
    }
    const file = frameFile(text);
    if (file === null) continue;
    const own = file.path.startsWith(OWN_SOURCE);
    if (!own && isForeign(file.path)) continue;
    frames.push({ own, site: `${shorten(file.path)}:${file.line}`, name: frameName(text) });
  }
  return frames;
}

/**
 * A C driver's frame in WebAssembly (src/cdriver),
 * `    at f (wasm://wasm/<id>:wasm-function[n]:0x1f)`, as `f (wasm 0x1f)`: its function from the
 * module's name section and the code offset that tells its call sites apart; or, when the module
 * has a namer (nameWasmSites), the namer's name for it: its C file:line.
 * Null for any other frame; RUNTIME for the runtime's.
 */
const WASM_FRAME = new RegExp(
  String.raw`^\s*at (?:(\S+) \()?wasm://wasm/([^:]*):wasm-function\[(\d+)\]:(0x[0-9a-f]+)`,
);

/** What wasmSite says of a frame of the runtime compiled into every C driver (c/runtime). */
const RUNTIME = 'the C runtime';

/**
 * Names a frame of one C module by its function (from the name section), its index and the
 * frame's module offset; null leaves the frame named by its offset.
 */
export type WasmSiteNamer = (name: string, functionIndex: number, offset: number) => string | null;

/**
 * Namers by module id (the `<id>` V8 gives a module's frames). Display and site identity only: a
 * module's namer names its frames the same in every run. One per module compiled in the process.
 */
const WASM_NAMERS = new Map<string, WasmSiteNamer>();

/** Frames of the module V8 calls `id` are named by `namer` from now on (src/cdriver/load.ts). */
export function nameWasmSites(id: string, namer: WasmSiteNamer): void {
  WASM_NAMERS.set(id, namer);
  SITES.clear();
}

/** The module id of the innermost wasm frame of `stack`, or null when it has none. */
export function wasmModuleOf(stack: string): string | null {
  for (const line of stack.split('\n')) {
    const match = WASM_FRAME.exec(line);
    if (match !== null) return match[2] as string;
  }
  return null;
}

/**
 * The runtime's functions (c/runtime: the dispatch tables' Shim* entries, the Wsksim* trampolines)
 * are wsksim's, not the driver's: a report names the driver's caller below them.
 */
function wasmSite(frame: string): string | null {
  const match = WASM_FRAME.exec(frame);
  if (match === null) return null;
  if (/^(Shim|Wsksim)[A-Z]/.test(match[1] ?? '')) return RUNTIME;
  const index = Number(match[3]);
  const name = match[1] ?? `wasm-function[${index}]`;
  const offset = match[4] as string;
  const named = WASM_NAMERS.get(match[2] as string)?.(name, index, Number.parseInt(offset, 16));
  return named ?? `${name} (wasm ${offset})`;
}

/** The function name of one `    at f (file:line:col)` frame, or null for an anonymous one. */
function frameName(frame: string): string | null {
  const match = /^\s*at (.+?) \(/.exec(frame);
  // The last word: V8 puts keywords before the name ('new Foo', and for awaited frames another).
  return match === null ? null : ((match[1] as string).split(' ').at(-1) as string);
}

function lastIndexOf(frames: readonly ({ path: string } | null)[], path: string): number {
  for (let i = frames.length - 1; i >= 0; i--) if (frames[i]?.path === path) return i;
  return -1;
}

/**
 * Whether the function that called the one whose stack this is (the second located frame) is a
 * driver's or a scenario's code: not wsksim's, not a dependency's, not Node's.
 */
export function callerIsDriver(stack: string): boolean {
  const files = stack.split('\n').map(frameFile).filter((file) => file !== null);
  const caller = files[1];
  return caller !== undefined && !isForeign(caller.path);
}

/**
 * The file and line of one `    at f (file:line:col)` or `    at file:line:col` frame; the file
 * may hold spaces and, on Windows, a drive letter and backslashes.
 */
function frameFile(frame: string): { path: string; line: number } | null {
  const text = frame.trim();
  if (!text.startsWith('at ')) return null;
  const location = /\(([^()]+)\)$/.exec(text)?.[1] ?? text.slice(3);
  const match = /^(.+):(\d+):\d+$/.exec(location);
  if (match === null) return null;
  return { path: slashPath(match[1] as string), line: Number(match[2]) };
}

/** A file of src/ by its source name ('sim/choice.ts'), as the running code spells it. */
function ownFile(source: string): string {
  return OWN_SOURCE + source.replace(/\.ts$/, OWN_EXTENSION);
}

/**
 * Not a driver's frame: wsksim's own code, Node's, or a dependency's. The package's scenarios/ are
 * drivers even when the package is installed under a node_modules/.
 */
function isForeign(path: string): boolean {
  if (path.startsWith(OWN_SOURCE)) return true;
  if (path.startsWith(PACKAGE_ROOT)) {
    return path.slice(PACKAGE_ROOT.length).includes('node_modules/');
  }
  return (
    path.startsWith('node:') ||
    path.includes('/node_modules/') ||
    !(path.startsWith('/') || /^[A-Za-z]:\//.test(path))
  );
}

/** A path inside the package relative to its root; others as they are. */
function shorten(path: string): string {
  return path.startsWith(PACKAGE_ROOT) ? path.slice(PACKAGE_ROOT.length) : path;
}
