/**
 * The timeline's geometry (docs/design.md#scenarios-cli-and-reports; README "Seeing a run: the
 * HTML timeline"): lanes as columns, virtual time flowing down. Each host gets a group of lanes:
 * its own (WSK calls, pool, verifier), one per system thread (running, waiting on what, ended),
 * one per TCP listener (its queue and the inspections of its offers), one per WSK socket, one per
 * TCP connection (its state over time), and columns for the IRPs and pool blocks alive at once.
 * Every trace record and every choice gets a row of its own, in the order the run made them;
 * between rows of different times the axis adds a gap that grows with the logarithm of the idle
 * time, and an idle time of 10 ms or more is drawn as a break of fixed height labelled with its
 * length: a run of microseconds and one of minutes both fit.
 */
import type { TraceRecord } from '../../sim/index.ts';
import type { DrawnChoice } from './recorder.ts';

/** A host's name and addresses, to put packets on the lanes of the hosts that sent them. */
export interface TimelineHost {
  readonly name: string;
  readonly addresses: readonly string[];
}

export type LaneKind =
  | 'choices'
  | 'host'
  | 'thread'
  | 'listener'
  | 'socket'
  | 'conn'
  | 'irp'
  | 'pool';

export interface Lane {
  readonly kind: LaneKind;
  /** The host it belongs to ('' for the choices lane). */
  readonly host: string;
  /** The thread, listener, socket or connection id; the column's number for irp and pool. */
  readonly id: number;
  readonly label: string;
  readonly x: number;
  readonly width: number;
}

/** One row: a trace record (its index) or a choice (its index among the choices). */
export interface Row {
  readonly y: number;
  readonly at: number;
  readonly record: number;
  readonly choice: number;
}

/** An idle stretch drawn as a break. */
export interface Break {
  readonly y: number;
  readonly span: number;
}

/** A lifetime (an IRP's, a pool block's) in its column. */
export interface Life {
  readonly host: string;
  readonly id: number;
  readonly lane: Lane;
  readonly from: number;
  /** Its last row; -1 when never ended (open to the end of the run). */
  readonly to: number;
  readonly label: string;
}

export const ROW = 14;
export const TOP = 8;
export const GUTTER = 84;
const BREAK_NS = 10_000_000;
export const BREAK_HEIGHT = 22;
const LANE_WIDTH: Readonly<Record<LaneKind, number>> = {
  choices: 180,
  host: 170,
  thread: 130,
  listener: 110,
  socket: 120,
  conn: 90,
  irp: 16,
  pool: 16,
};
/** Columns of IRPs (and of pool blocks) per host: more alive at once share them. */
const MAX_COLUMNS = 10;

export interface Layout {
  readonly lanes: readonly Lane[];
  readonly rows: readonly Row[];
  /** Row index of each record. */
  readonly recordRow: Int32Array;
  readonly breaks: readonly Break[];
  readonly irps: readonly Life[];
  readonly blocks: readonly Life[];
  readonly width: number;
  readonly height: number;
  /** The host owning each address seen. */
  readonly hostOf: ReadonlyMap<string, string>;
  lane(kind: LaneKind, host: string, id?: number): Lane | undefined;
  /** The IRP's or pool block's life an `nt.irp` or `nt.pool` record (by index) belongs to. */
  lifeOf(record: number): Life | undefined;
}

/** The gap before a row `span` ns after the previous one. */
function gapOf(span: number): number {
  if (span <= 0) return 0;
  return Math.min(BREAK_HEIGHT, 2 + 3 * Math.log10(1 + span / 1000));
}

export function layout(
  records: readonly TraceRecord[],
  choices: readonly DrawnChoice[],
  hosts: readonly TimelineHost[],
): Layout {
  const rowsOut: Row[] = [];
  const breaks: Break[] = [];
  const recordRow = new Int32Array(records.length);
  let y = TOP + ROW;
  let at = records[0]?.at ?? 0;
  let c = 0;
  const add = (time: number, record: number, choice: number): void => {
    const span = time - at;
    if (span >= BREAK_NS) {
      breaks.push({ y, span });
      y += BREAK_HEIGHT + 6;
    } else y += gapOf(span);
    at = time;
    // Whole pixels: shorter coordinates in the page, and no visible difference.
    rowsOut.push({ y: Math.round(y), at: time, record, choice });
    y += ROW;
  };
  for (let r = 0; r <= records.length; r++) {
    while (c < choices.length && (choices[c] as DrawnChoice).after <= r) add(at, -1, c++);
    if (r === records.length) break;
    recordRow[r] = rowsOut.length;
    add((records[r] as TraceRecord).at, r, -1);
  }
  const hostOf = new Map<string, string>();
  for (const host of hosts) for (const address of host.addresses) hostOf.set(address, host.name);
  const groups = hostGroups(records, hosts, hostOf);
  const { irps, blocks, irpColumns, poolColumns, owner } = lives(records, recordRow);
  const lanes: Lane[] = [];
  let x = GUTTER;
  const push = (kind: LaneKind, host: string, id: number, label: string): void => {
    const width = LANE_WIDTH[kind];
    lanes.push({ kind, host, id, label, x, width });
    x += width;
  };
  if (choices.length > 0) push('choices', '', 0, 'choices');
  for (const [host, group] of groups) {
    push('host', host, 0, host);
    for (const [id, name] of group.threads) push('thread', host, id, `thread ${id} ${name}`);
    for (const id of group.listeners) push('listener', host, id, `listener ${id}`);
    for (const id of group.sockets) push('socket', host, id, `socket ${id}`);
    for (const id of group.conns) push('conn', host, id, `conn ${id}`);
    for (let i = 0; i < (irpColumns.get(host) ?? 0); i++)
      push('irp', host, i, i === 0 ? 'IRPs' : '');
    for (let i = 0; i < (poolColumns.get(host) ?? 0); i++)
      push('pool', host, i, i === 0 ? 'pool' : '');
    x += 12;
  }
  const index = new Map(lanes.map((lane) => [`${lane.kind} ${lane.host} ${lane.id}`, lane]));
  const laneOf = (kind: LaneKind, host: string, id = 0): Lane | undefined =>
    index.get(`${kind} ${host} ${id}`);
  const placed = new Map<PendingLife, Life>();
  const place = (list: PendingLife[], kind: 'irp' | 'pool'): Life[] =>
    list.map((life) => {
      const lane = laneOf(kind, life.host, life.column) ?? (laneOf('host', life.host) as Lane);
      const done = { ...life, lane };
      placed.set(life, done);
      return done;
    });
  const irpLives = place(irps, 'irp');
  const blockLives = place(blocks, 'pool');
  return {
    lanes,
    rows: rowsOut,
    recordRow,
    breaks,
    irps: irpLives,
    blocks: blockLives,
    width: x + 40,
    height: y + ROW,
    hostOf,
    lane: laneOf,
    lifeOf: (record) => {
      const life = owner[record];
      return life === undefined ? undefined : placed.get(life);
    },
  };
}

interface HostGroup {
  /** Each system thread's number and name, in the order they started. */
  readonly threads: Map<number, string>;
  readonly listeners: number[];
  readonly sockets: number[];
  readonly conns: number[];
}

/** Each host's lanes, hosts in creation order, then any others as they first appear. */
function hostGroups(
  records: readonly TraceRecord[],
  hosts: readonly TimelineHost[],
  hostOf: ReadonlyMap<string, string>,
): Map<string, HostGroup> {
  const groups = new Map<string, HostGroup>();
  const group = (host: string): HostGroup => {
    let found = groups.get(host);
    if (found === undefined) {
      found = { threads: new Map(), listeners: [], sockets: [], conns: [] };
      groups.set(host, found);
    }
    return found;
  };
  const note = (list: number[], id: number): void => {
    if (!list.includes(id)) list.push(id);
  };
  for (const host of hosts) group(host.name);
  for (const record of records) {
    switch (record.type) {
      case 'net.packet':
        group(hostOf.get(record.source) ?? record.source);
        group(hostOf.get(record.target) ?? record.target);
        break;
      case 'net.fault':
        break;
      case 'tcp.listener':
      case 'tcp.offer':
        note(group(record.host).listeners, record.listener);
        break;
      case 'wsk.socket':
      case 'wsk.callback':
        note(group(record.host).sockets, record.socket);
        break;
      case 'nt.thread': {
        const threads = group(record.host).threads;
        if (!threads.has(record.thread)) threads.set(record.thread, record.detail ?? '');
        break;
      }
      case 'tcp.transition':
      case 'tcp.outcome':
      case 'tcp.drop':
        if (record.conn > 0) note(group(record.host).conns, record.conn);
        else group(record.host);
        break;
      default:
        group(record.host);
    }
  }
  for (const value of groups.values()) {
    value.listeners.sort((a, b) => a - b);
    value.sockets.sort((a, b) => a - b);
    value.conns.sort((a, b) => a - b);
  }
  return groups;
}

interface PendingLife {
  readonly host: string;
  readonly id: number;
  readonly column: number;
  readonly from: number;
  to: number;
  label: string;
}

/**
 * IRP and pool block lifetimes (allocated to freed, in rows) and the column each takes: first
 * fit, so an IRP takes the leftmost column free since the last one there ended.
 */
function lives(
  records: readonly TraceRecord[],
  recordRow: Int32Array,
): {
  irps: PendingLife[];
  blocks: PendingLife[];
  irpColumns: Map<string, number>;
  poolColumns: Map<string, number>;
  owner: (PendingLife | undefined)[];
} {
  const owner: (PendingLife | undefined)[] = new Array<PendingLife | undefined>(records.length);
  const irps: PendingLife[] = [];
  const blocks: PendingLife[] = [];
  const openIrps = new Map<string, PendingLife>();
  const openBlocks = new Map<string, PendingLife>();
  // A block's last life, freed or not: a touch after its free belongs to it.
  const lastBlocks = new Map<string, PendingLife>();
  const irpFree = new Map<string, number[]>();
  const poolFree = new Map<string, number[]>();
  const take = (free: Map<string, number[]>, host: string, row: number): number => {
    let ends = free.get(host);
    if (ends === undefined) free.set(host, (ends = []));
    let column = ends.findIndex((end) => end < row);
    if (column < 0) column = ends.length < MAX_COLUMNS ? ends.length : row % MAX_COLUMNS;
    ends[column] = Number.MAX_SAFE_INTEGER;
    return column;
  };
  const release = (free: Map<string, number[]>, life: PendingLife, row: number): void => {
    const ends = free.get(life.host) as number[];
    ends[life.column] = row;
    life.to = row;
  };
  records.forEach((record, r) => {
    const row = recordRow[r] as number;
    if (record.type === 'nt.irp') {
      const key = `${record.host} ${record.irp}`;
      let life = openIrps.get(key);
      if (life === undefined) {
        const column = take(irpFree, record.host, row);
        life = { host: record.host, id: record.irp, column, from: row, to: -1, label: '' };
        openIrps.set(key, life);
        irps.push(life);
      }
      owner[r] = life;
      if (record.op !== undefined && life.label === '') life.label = record.op;
      if (record.event === 'freed') {
        release(irpFree, life, row);
        openIrps.delete(key);
      }
    } else if (record.type === 'nt.pool' && record.block !== undefined) {
      const key = `${record.host} ${record.block}`;
      let life = openBlocks.get(key);
      if (life === undefined && record.event === 'touched') life = lastBlocks.get(key);
      if (life === undefined) {
        const column = take(poolFree, record.host, row);
        const label = `${record.tag} ${record.bytes} bytes`;
        life = { host: record.host, id: record.block, column, from: row, to: -1, label };
        openBlocks.set(key, life);
        lastBlocks.set(key, life);
        blocks.push(life);
      }
      owner[r] = life;
      if (record.event === 'freed' && openBlocks.has(key)) {
        release(poolFree, life, row);
        openBlocks.delete(key);
      }
    }
  });
  const counts = (free: Map<string, number[]>): Map<string, number> =>
    new Map([...free].map(([host, ends]) => [host, ends.length]));
  const irpColumns = counts(irpFree);
  return { irps, blocks, irpColumns, poolColumns: counts(poolFree), owner };
}
