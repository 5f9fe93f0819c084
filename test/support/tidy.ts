/**
 * The tidy scanner (after TigerBeetle's tidy.zig): reads source text and reports each banned
 * construct with file:line and the replacement to use. Layers and import cycles are checked on
 * the import graph (imports.ts).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface TidyFinding {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  readonly text: string;
}

interface Ban {
  readonly rule: string;
  readonly pattern: RegExp;
}

/** Nondeterminism and the outside world: banned everywhere under src/ except src/cli. */
export const DETERMINISM_BANS: readonly Ban[] = [
  { rule: 'Math.random → a choice-source stream (src/sim/choice.ts)', pattern: /\bMath\.random\b/ },
  { rule: 'Date → the simulator clock (sim.now)', pattern: /\bDate\.now\b|\bnew Date\b|\bDate\(\)/ },
  { rule: 'performance.now → the simulator clock', pattern: /\bperformance\.now\b/ },
  { rule: 'process.hrtime → the simulator clock', pattern: /\bprocess\.hrtime\b/ },
  { rule: 'crypto randomness → a choice-source stream', pattern: /\bcrypto\.|\bgetRandomValues\b|\brandomUUID\b|\brandomBytes\b|from ['"](node:)?crypto['"]/ },
  { rule: 'real timers → sim.schedule', pattern: /\b(setTimeout|setInterval|setImmediate|clearTimeout|clearInterval)\b/ },
  { rule: 'queueMicrotask → sim.schedule', pattern: /\bqueueMicrotask\b/ },
  { rule: 'process.env → an option of the scenario', pattern: /\bprocess\.env\b/ },
  { rule: 'real sockets → the simulated network', pattern: /from ['"](node:)?(net|dgram|http|https|http2|tls|dns)(\/promises)?['"]|require\(['"](node:)?(net|dgram|http|https|tls|dns)['"]\)/ },
];

/** The core loop is synchronous: no async code in src/sim or src/tcp but the marked thread host. */
export const ASYNC_BAN: Ban = { rule: 'async/await → the synchronous event loop', pattern: /\basync\b|\bawait\b/ };
const ASYNC_HOST_MARK = 'tidy: async-host';
/** The one file that names the real timers, to trap them during runs (src/sim/foreign-wait.ts). */
const TIMER_TRAP_MARK = 'tidy: timer-trap';
const TIMER_BAN = 'real timers → sim.schedule';

/** Prettier's width: 100 columns (docs/design.md#compiler-and-formatter-settings). */
const MAX_COLUMNS = 100;

function isComment(line: string): boolean {
  const trimmed = line.trim();
  return trimmed.startsWith('//') || trimmed.startsWith('*') || trimmed.startsWith('/*');
}

/** Scans one file's text. `layer` is the src/ folder it is in. */
export function scanSource(file: string, text: string, layer: string): TidyFinding[] {
  const findings: TidyFinding[] = [];
  const lines = text.split('\n');
  const asyncHost = text.includes(ASYNC_HOST_MARK);
  const timerTrap = text.includes(TIMER_TRAP_MARK);
  lines.forEach((content, index) => {
    const report = (rule: string): void =>
      void findings.push({ file, line: index + 1, rule, text: content.trim() });
    if (content.length > MAX_COLUMNS) report(`line over ${MAX_COLUMNS} columns (${content.length})`);
    if (isComment(content)) return;
    const code = content.replace(/\/\/.*$/, '');
    if (layer !== 'cli') {
      for (const ban of DETERMINISM_BANS) {
        if (ban.pattern.test(code) && !(timerTrap && ban.rule === TIMER_BAN)) report(ban.rule);
      }
    }
    if ((layer === 'sim' || layer === 'tcp') && !asyncHost && ASYNC_BAN.pattern.test(code)) report(ASYNC_BAN.rule);
  });
  return findings;
}

function listFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return listFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

/** Scans every source file under `srcDirectory`. */
export function scanTree(srcDirectory: string): TidyFinding[] {
  return listFiles(srcDirectory).flatMap((path) => {
    const file = relative(join(srcDirectory, '..'), path);
    const layer = relative(srcDirectory, path).split(sep)[0] ?? '';
    return scanSource(file, readFileSync(path, 'utf8'), layer);
  });
}

export function formatFindings(findings: readonly TidyFinding[]): string {
  return findings.map((f) => `${f.file}:${f.line}: ${f.rule}\n    ${f.text}`).join('\n');
}
