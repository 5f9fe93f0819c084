/**
 * `wsksim build-driver <files.c…> -o driver.wasm [-I dir]… [--export NAME]…`: a WSK driver's
 * C sources compiled for wsksim (README "Testing your C driver"). clang's wasm32 target compiles
 * each file with c/include on the include path (-O2 -gdwarf-4, freestanding, an undeclared
 * routine an error), together with the runtime (c/runtime); wasm-ld links them with a growable
 * memory, the C stack first (an overflow traps below address 0) and the exports the bridge needs;
 * then binaryen's `wasm-opt --instrument-memory` makes every load and store call the pool's
 * shadow checks (module "env", src/cdriver/shadow-memory.ts) and `--asyncify` instruments the
 * imports that can wait, keeping names and DWARF (-g; DWARF 4, as binaryen 108 cannot rewrite
 * DWARF 5). No wasm-opt -O afterwards: it would move the checks' calls off their C lines, so the
 * optimising is clang's. Debian packages the three tools as clang, lld and binaryen.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './args.ts';
import type { Write } from './write.ts';

/** The package's c/ folder: headers and runtime. */
export const C_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../c');

/** The imports a C thread may wait in: asyncify unwinds its stack there (src/cdriver). */
export const WAITING_IMPORTS = [
  'KeWaitForSingleObject',
  'KeDelayExecutionThread',
  'KeWaitForMultipleObjects',
  'ExAcquireFastMutex',
  'ExWaitForRundownProtectionRelease',
  'WskCaptureProviderNPI',
  'WskDeregister',
  'PsTerminateSystemThread',
] as const;

/**
 * Linear memory of every driver: 256 KiB at first (the C stack, the static data, a few threads),
 * grown by the bridge's heap as pool and threads need it, up to 256 MiB
 * (src/cdriver/linear-heap.ts).
 */
const INITIAL_MEMORY = 256 * 1024;
const MAX_MEMORY = 256 * 1024 * 1024;
const STACK_BYTES = 64 * 1024;

export interface BuildRequest {
  readonly sources: readonly string[];
  readonly output: string;
  readonly includes?: readonly string[];
  /** Exports beyond DriverEntry (another entry's name). */
  readonly exports?: readonly string[];
  /**
   * Whether loads and stores call the pool checks (`--instrument-memory`); false builds a module
   * loadDriver runs unchecked (tests of that path). @defaultValue true
   */
  readonly poolChecks?: boolean;
}

/** The tools a build needs that are not on PATH, by the Debian package that has each. */
export function missingTools(): string[] {
  const tools = [
    ['clang', 'clang'],
    ['wasm-ld', 'lld'],
    ['wasm-opt', 'binaryen'],
  ] as const;
  return tools
    .filter(([tool]) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0)
    .map(([tool, pkg]) => `${tool} (Debian package ${pkg})`);
}

/** Builds `request.output`; throws Error with the tool's own message when a step fails. */
export function buildDriver(request: BuildRequest): void {
  const missing = missingTools();
  if (missing.length > 0) {
    throw new UsageError(
      `build-driver needs ${missing.join(', ')}: apt-get install clang lld binaryen`,
    );
  }
  const work = mkdtempSync(join(tmpdir(), 'wsksim-build-'));
  try {
    const flags = [
      '--target=wasm32', '-O2', '-gdwarf-4', '-nostdlib', '-ffreestanding', '-mmutable-globals',
      '-Werror=implicit-function-declaration', '-Werror=incompatible-pointer-types',
      '-I', join(C_ROOT, 'include'),
      ...(request.includes ?? []).flatMap((dir) => ['-I', dir]),
    ];
    const runtime = readdirSync(join(C_ROOT, 'runtime'))
      .filter((name) => name.endsWith('.c'))
      .sort()
      .map((name) => join(C_ROOT, 'runtime', name));
    const objects = [...request.sources, ...runtime].map((source, i) => {
      const object = join(work, `${i}-${basename(source)}.o`);
      tool('clang', [...flags, '-c', source, '-o', object]);
      return object;
    });
    const linked = join(work, 'linked.wasm');
    const exports = ['DriverEntry', ...(request.exports ?? []), '__stack_pointer', '__heap_base'];
    tool('wasm-ld', [
      '--no-entry', '--stack-first', '-z', `stack-size=${STACK_BYTES}`,
      `--initial-memory=${INITIAL_MEMORY}`, `--max-memory=${MAX_MEMORY}`,
      ...exports.map((name) => `--export=${name}`),
      ...objects, '-o', linked,
    ]);
    const waits = WAITING_IMPORTS.map((name) => `wsksim.${name}`).join(',');
    // Memory instrumentation before asyncify (whose own saves and restores are not the
    // driver's accesses), and no -O after: it moves the hooks' calls off their C lines.
    tool('wasm-opt', [
      '-g', linked, ...(request.poolChecks === false ? [] : ['--instrument-memory']), '--asyncify',
      `--pass-arg=asyncify-imports@${waits}`, '-o', request.output,
    ]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function tool(command: string, args: readonly string[]): void {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new BuildError(`${command} failed:\n${stderr}`);
  }
}

/** A step of the build failed on the driver's sources (its compiler's messages). */
export class BuildError extends Error {
  override readonly name = 'BuildError';
}

/** The command: exit 0 built, 1 the sources did not build, 2 a bad invocation. */
export function buildDriverCommand(argv: readonly string[], out: Write): number {
  const sources: string[] = [];
  const includes: string[] = [];
  const exports: string[] = [];
  let output: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('-')) {
        throw new UsageError(`build-driver: ${arg} needs a value`);
      }
      return next;
    };
    if (arg === '-o' || arg === '--out') output = value();
    else if (arg === '-I') includes.push(value());
    else if (arg.startsWith('-I') && arg.length > 2) includes.push(arg.slice(2));
    else if (arg === '--export') exports.push(value());
    else if (arg.startsWith('-')) throw new UsageError(`build-driver: unknown option ${arg}`);
    else if (!arg.endsWith('.c')) throw new UsageError(`build-driver: ${arg} is not a .c file`);
    else sources.push(arg);
  }
  if (sources.length === 0) throw new UsageError('build-driver: no .c file given');
  if (output === null) throw new UsageError('build-driver: -o <driver.wasm> is required');
  const missing = sources.find((source) => !existsSync(source));
  if (missing !== undefined) throw new UsageError(`build-driver: no such file: ${missing}`);
  for (const dir of includes) {
    if (!existsSync(dir)) throw new UsageError(`build-driver: -I ${dir}: no such directory`);
  }
  try {
    buildDriver({ sources, output, includes, exports });
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    out(`${error.message}\n`);
    return 1;
  }
  out(`built ${output}\n`);
  return 0;
}
