/**
 * The import graph of src/: every `import … from` and `export … from` between its files,
 * type-only imports included, so the test of layers can name each cycle and each upward import
 * with file:line (docs/design.md#layers).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The layers, lowest first. A file may import from its own layer and from any layer before it;
 * layers on one rank (tcp and udp) may not import each other. `index` is the package's surface
 * (src/index.ts); `simulation` is the other files at the top of src/, which assemble the layers
 * below (simulation.ts, and tcp-transport.ts, which hands a host's TCP stack to its WSK
 * provider).
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['sim'],
  ['topology'],
  ['tcp', 'udp'],
  ['nt'],
  ['wsk'],
  ['cdriver'],
  ['simulation'],
  ['report'],
  ['explore'],
  ['index'],
  ['cli'],
];

export interface ImportEdge {
  /** Paths relative to the src/ folder's parent, e.g. 'src/wsk/socket.ts'. */
  readonly from: string;
  readonly to: string;
  readonly line: number;
}

export interface LayerFinding {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
}

const IMPORT = /^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"](\.[^'"]+)['"]/;
const BARE_IMPORT = /^\s*import\s*['"](\.[^'"]+)['"]/;

function listFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return listFiles(path);
    return /\.ts$/.test(name) ? [path] : [];
  });
}

/** Every relative import of every .ts file under `srcDirectory`, with its line. */
export function importGraph(srcDirectory: string): ImportEdge[] {
  const root = join(srcDirectory, '..');
  return listFiles(srcDirectory).flatMap((path) => importsOf(root, path, readFileSync(path, 'utf8')));
}

/** The relative imports in one file's text (statements spanning lines are joined first). */
export function importsOf(root: string, path: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const lines = text.split('\n');
  let statement = '';
  let start = 0;
  lines.forEach((content, index) => {
    if (statement === '' && !/^\s*(import|export)\b/.test(content)) return;
    if (statement === '') start = index + 1;
    statement += ` ${content.trim()}`;
    if (!/['"];?\s*$/.test(content) && !/\bfrom\b/.test(content) && !content.includes(';')) return;
    const target = IMPORT.exec(statement)?.[1] ?? BARE_IMPORT.exec(statement)?.[1];
    const done = target !== undefined || statement.includes(';') || !/[{,]\s*$/.test(statement);
    if (!done) return;
    if (target !== undefined) {
      const to = relative(root, resolve(dirname(path), target)).split(sep).join('/');
      edges.push({ from: relative(root, path).split(sep).join('/'), to, line: start });
    }
    statement = '';
  });
  return edges;
}

/** The layer a file of src/ belongs to: its folder, or `index` / `simulation` at the top. */
export function layerOf(file: string): string {
  const parts = file.split('/');
  if (parts.length === 2) return parts[1] === 'index.ts' ? 'index' : 'simulation';
  return parts[1]!;
}

function rankOf(layer: string): number {
  return LAYERS.findIndex((rank) => rank.includes(layer));
}

/** Each import that points up the layer order, or sideways between layers of one rank. */
export function upwardImports(edges: readonly ImportEdge[]): LayerFinding[] {
  const order = LAYERS.map((rank) => rank.join(', ')).join(' < ');
  return edges.flatMap((edge) => {
    const from = layerOf(edge.from);
    const to = layerOf(edge.to);
    if (from === to) return [];
    const known = rankOf(from) >= 0 && rankOf(to) >= 0;
    if (known && rankOf(to) < rankOf(from)) return [];
    const rule = known
      ? `import direction: ${from} must not import ${to} (${edge.to}; order: ${order})`
      : `unknown layer: ${rankOf(from) < 0 ? from : to} is not in the layer order (${order})`;
    return [{ file: edge.from, line: edge.line, rule }];
  });
}

/**
 * Each import cycle, as the files on it in import order (Tarjan's strongly connected
 * components; a component of two or more files, or a file importing itself, is a cycle).
 */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, []);
    if (!next.has(to)) next.set(to, []);
    next.get(from)!.push(to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node)!) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || next.get(node)!.includes(node)) cycles.push(component.sort());
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}
