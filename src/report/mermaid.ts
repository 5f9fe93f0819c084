/**
 * A run as a Mermaid `sequenceDiagram` (`--mermaid`), for pasting into an issue: a participant per
 * host, in the order hosts were made; an arrow per packet from its sender to its receiver, drawn
 * where it was sent, labelled with its time and the payload's description (a segment's flags,
 * ports, seq, ack, len), solid when delivered, a cross (`-x`) when dropped, with why; and a note
 * over a host for what its stack and drivers did: TCP state transitions and drops, WSK calls and
 * callbacks, IRP completions, verifier violations and advisories, faults. IRP issue/reuse and pool
 * traffic are left out (the calls say as much). `last` keeps the last N entries, `from`/`to` a
 * window of virtual time.
 *
 * Labels are escaped for Mermaid's sequence grammar ("Entity codes to escape characters",
 * https://mermaid.js.org/syntax/sequenceDiagram.html): anything but letters, digits, spaces and a
 * few plain punctuation marks is written as a numeric entity `#NNN;`, so a `;` (which ends a
 * statement), a `#`, a `:`, a `%%` (a comment), `<`, `>` or a non-ASCII arrow cannot break the
 * diagram.
 */
import { formatInstant, type TraceRecord } from '../sim/index.ts';

export interface MermaidOptions {
  /** Keep only the last N entries (arrows and notes). */
  readonly last?: number;
  /** Keep only entries at or after this virtual time (ns). */
  readonly from?: number;
  /** Keep only entries at or before this virtual time (ns). */
  readonly to?: number;
}

/** What the diagram needs of the run's world: hosts in order and who owns an address. */
export interface MermaidWorld {
  readonly hosts: readonly string[];
  readonly hostOf: (address: string) => string | undefined;
}

interface Entry {
  readonly at: number;
  readonly line: (id: (participant: string) => string) => string;
  readonly participants: readonly string[];
}

const SAFE = /[A-Za-z0-9 .,=_()[\]/+*'!?@-]/;

/** `text` with every character Mermaid could read as syntax written as `#code;`. */
export function escapeMermaid(text: string): string {
  let out = '';
  for (const char of text.replace(/\s+/g, ' ').trim()) {
    out += SAFE.test(char) ? char : `#${char.codePointAt(0) as number};`;
  }
  return out === '' ? '#32;' : out;
}

/** The diagram of `records` (kept trace records of one run), as Mermaid text ending in '\n'. */
export function mermaidDiagram(
  records: readonly TraceRecord[],
  world: MermaidWorld,
  options: MermaidOptions = {},
): string {
  const fates = packetFates(records);
  const entries: Entry[] = [];
  for (const record of records) {
    const entry = entryOf(record, world, fates);
    if (entry !== null) entries.push(entry);
  }
  const from = options.from ?? 0;
  const to = options.to ?? Number.POSITIVE_INFINITY;
  let kept = entries.filter((entry) => entry.at >= from && entry.at <= to);
  if (options.last !== undefined) kept = kept.slice(Math.max(0, kept.length - options.last));
  const used = new Set(kept.flatMap((entry) => entry.participants));
  const order = [...world.hosts, ...[...used].filter((name) => !world.hosts.includes(name))];
  const ids = new Map<string, string>();
  const lines = ['sequenceDiagram'];
  for (const name of order) {
    if (!used.has(name)) continue;
    const id = `p${ids.size + 1}`;
    ids.set(name, id);
    lines.push(`  participant ${id} as ${escapeMermaid(name)}`);
  }
  const id = (participant: string): string => ids.get(participant) as string;
  if (kept.length === 0) {
    lines.push(`  %% no trace records${entries.length === 0 ? '' : ' in the window asked for'}`);
  }
  for (const entry of kept) lines.push(`  ${entry.line(id)}`);
  return `${lines.join('\n')}\n`;
}

interface Fate {
  delivered: boolean;
  dropped: string | undefined;
}

function packetFates(records: readonly TraceRecord[]): Map<number, Fate> {
  const fates = new Map<number, Fate>();
  for (const record of records) {
    if (record.type !== 'net.packet' || record.phase === 'sent') continue;
    const fate = fates.get(record.id) ?? { delivered: false, dropped: undefined };
    if (record.phase === 'delivered') fate.delivered = true;
    else fate.dropped ??= record.reason ?? 'dropped';
    fates.set(record.id, fate);
  }
  return fates;
}

function note(at: number, host: string, text: string): Entry {
  const label = escapeMermaid(`${formatInstant(at)} ${text}`);
  return { at, participants: [host], line: (id) => `Note over ${id(host)}: ${label}` };
}

function entryOf(
  record: TraceRecord,
  world: MermaidWorld,
  fates: ReadonlyMap<number, Fate>,
): Entry | null {
  const at = record.at;
  switch (record.type) {
    case 'net.packet': {
      if (record.phase !== 'sent') return null;
      const from = world.hostOf(record.source) ?? record.source;
      const to = world.hostOf(record.target) ?? record.target;
      const fate = fates.get(record.id);
      const lost = fate !== undefined && !fate.delivered && fate.dropped !== undefined;
      const text = `${formatInstant(at)} ${record.info ?? `packet ${record.id}`}`;
      const label = escapeMermaid(lost ? `${text} (dropped: ${fate.dropped})` : text);
      const arrow = lost ? '-x' : '->>';
      const line = (id: (participant: string) => string): string =>
        `${id(from)}${arrow}${id(to)}: ${label}`;
      return { at, participants: [from, to], line };
    }
    case 'net.fault': {
      const hosts = [record.a, ...(record.b === undefined ? [] : [record.b])];
      const text = escapeMermaid(`${formatInstant(at)} fault ${record.verb} ${hosts.join(' ')}`);
      return {
        at,
        participants: hosts,
        line: (id) => `Note over ${hosts.map(id).join(',')}: ${text}`,
      };
    }
    case 'tcp.transition':
      return note(
        at,
        record.host,
        `conn ${record.conn} ${record.from}→${record.to} (${record.cause})`,
      );
    case 'tcp.drop':
      return note(at, record.host, `tcp drop conn ${record.conn}: ${record.reason}`);
    case 'wsk.call':
      return note(at, record.host, `${record.call} → ${record.status ?? 'returned'}`);
    case 'wsk.callback':
      return note(at, record.host, `${record.callback} → ${record.status}`);
    case 'nt.irp':
      if (record.event !== 'completed') return null;
      return note(
        at,
        record.host,
        `IRP ${record.irp} ${record.op ?? ''} completed ${record.status ?? ''}`,
      );
    case 'nt.violation':
      return note(at, record.host, `VIOLATION ${record.rule}`);
    case 'nt.advisory':
      return note(at, record.host, `advisory ${record.rule}: ${record.info}`);
    default:
      return null;
  }
}
