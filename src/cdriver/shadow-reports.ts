/**
 * What the pool checks in C linear memory report (shadow-memory.ts): the rules, the blocks and
 * violations as data, and the text of a report (a tag as debuggers show it, where an access is
 * relative to its block, the block's sites).
 */
import type { CSite } from './dwarf-lines.ts';

/** A place to show in a report: a captured C site, or text (a test's, a TS caller's). */
export type Site = CSite | string;

export type PoolRule =
  | 'POOL-USE-AFTER-FREE'
  | 'POOL-DOUBLE-FREE'
  | 'POOL-FREE-FOREIGN'
  | 'POOL-TAG-MISMATCH'
  | 'POOL-OUT-OF-BOUNDS';

export interface PoolBlock {
  readonly address: number;
  readonly size: number;
  readonly tag: number;
  readonly allocation: Site;
  /** Where it was freed; undefined while live. */
  free: Site | undefined;
}

export interface PoolViolation {
  readonly rule: PoolRule;
  /** One line: what happened, at which C line, and the block's allocation (and free) lines. */
  readonly message: string;
  readonly address: number;
  /** The access's width, 0 for a free. */
  readonly bytes: number;
  /** The access, or the free that is wrong. */
  readonly site: Site;
  readonly block: PoolBlock | undefined;
}

/** A pool tag as debuggers show it: its bytes in memory (little-endian) order. */
export function poolTagText(tag: number): string {
  let text = '';
  for (let shift = 0; shift < 32; shift += 8) {
    const code = (tag >>> shift) & 0xff;
    text += code >= 0x20 && code < 0x7f ? String.fromCharCode(code) : '.';
  }
  return text;
}

export function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

/** Where `at` is relative to `block`, for a report. */
export function offsetText(at: number, block: PoolBlock | undefined): string {
  if (block === undefined) return '';
  const offset = at - block.address;
  if (offset < 0) return `${-offset} bytes before the block, `;
  if (offset >= block.size) return `${offset - block.size} bytes past its end, `;
  return `${offset} bytes into the block, `;
}

/** The block's address, size, tag and sites, for a report. */
export function blockText(block: PoolBlock | undefined): string {
  if (block === undefined) return '';
  const freed = block.free === undefined ? '' : `, freed at ${String(block.free)}`;
  return `; block ${hex(block.address)} (${block.size} bytes, tag '${poolTagText(block.tag)}'` +
    `) allocated at ${String(block.allocation)}${freed}`;
}
