/**
 * The timeline's SVG, as a drawing: every mark, band and label is an item, a template of SVG
 * markup (kept once) and its arguments, with the rows it covers, so the page carries compact data
 * and the browser puts in the DOM only the items in view (assets.ts); `expandItem` makes an item's
 * markup, here as in the page. Every mark carries stable hooks for tests and readers (README
 * "Seeing a run: the HTML timeline"): `data-kind`, `data-host`, `data-socket`, `data-irp`,
 * `data-block`, `data-thread`, `data-record` (the record's index in the trace) and `data-choice`;
 * each mark links to its record in the trace listed under the diagram.
 */
import { formatDuration, formatInstant, type Failure, type TraceRecord } from '../../sim/index.ts';
import type { DrawnChoice } from './recorder.ts';
import { BREAK_HEIGHT, GUTTER, ROW, TOP, type Lane, type Layout, type Life } from './layout.ts';

/** Escapes text for HTML and SVG, attributes included. */
export function escape(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}
const NEEDS_ESCAPE = /[&<>"']/;
const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** At most `length` characters of `text`, an ellipsis marking a cut. */
function clip(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/** `STATUS_PENDING` → `PENDING`. */
function short(status: string | undefined): string {
  return status === undefined ? '' : status.replace(/^STATUS_/, '');
}

function center(lane: Lane): number {
  if (lane.kind === 'irp' || lane.kind === 'pool') return lane.x + lane.width / 2;
  return lane.x + 10;
}

/** The failure's row: the violation's record, else the last record at or before its time. */
export function failureRow(
  records: readonly TraceRecord[],
  layout: Layout,
  failure: Failure,
): number {
  for (let r = records.length - 1; r >= 0; r--) {
    if ((records[r] as TraceRecord).type === 'nt.violation') return layout.recordRow[r] as number;
  }
  for (let r = records.length - 1; r >= 0; r--) {
    if ((records[r] as TraceRecord).at <= failure.at) return layout.recordRow[r] as number;
  }
  return 0;
}

/** An item: template index, top and bottom (user units), its row if a mark (else -1), the
 * record it links to (r ≥ 0), a choice (-1 - c) or nothing (null), then the template's
 * arguments ($0, $1, …: numbers, or text already escaped). */
export type Item = (number | string | null)[];

/** The drawing of a run: what the page embeds (assets.ts renders the items in view). */
export interface Drawing {
  readonly templates: readonly string[];
  readonly items: readonly Item[];
  /**
   * For a page, whose script draws the segments and choices itself from the records and
   * choices (the most numerous marks, so the page carries them once): each row's y, the x of
   * each address's host lane, the choices lane's x, and the templates' indices by name.
   */
  readonly page?: {
    readonly rowY: readonly number[];
    /** Each address's host lane: its x and the host's name. */
    readonly hostX: Readonly<Record<string, readonly [number, string]>>;
    readonly choiceX: number | null;
    readonly templates: Readonly<Record<string, number>>;
  };
}

/** An item's markup: its template with its arguments in place ($w its row, $e its entry). */
export function expandItem(templates: readonly string[], item: Item): string {
  return (templates[item[0] as number] as string).replace(/\$(\d+|w|e)/g, (_, n: string) =>
    String(n === 'w' ? item[3] : n === 'e' ? item[4] : item[5 + Number(n)]),
  );
}

/** The templates: SVG markup with $N where the N-th argument goes, $w its row, $e its record. */
const T = {
  break:
    '<g class="break" data-kind="break"><rect x="0" y="$0" width="$1" height="$2"/>' +
    '<text x="4" y="$3">… $4 idle</text></g>',
  shade:
    '<rect class="$0" data-kind="$0" data-host="$1" data-record="$2" x="$3" y="$4" ' +
    'width="$5" height="$6"><title>$7</title></rect>',
  life:
    '<rect class="life $0" data-kind="$1" data-host="$2" $3="$4" x="$5" y="$6" width="$7" ' +
    'height="$8" rx="3"><title>$9</title></rect>',
  thread:
    '<g class="thread-span $0" data-kind="thread" data-host="$1" data-thread="$2" ' +
    'data-state="$0"><rect x="$3" y="$4" width="$5" height="$6"><title>$7</title></rect>' +
    '<text x="$8" y="$9">$10</text></g>',
  state:
    '<g class="state" data-kind="state" data-host="$0" data-conn="$1" data-state="$2">' +
    '<rect x="$3" y="$4" width="8" height="$5"/><text x="$6" y="$7">$2</text></g>',
  time: '<text class="time" x="$0" y="$1">$2</text>',
  sent:
    '<a href="#r$e" class="mark segment sent" data-kind="segment" data-record="$e" ' +
    'data-row="$w" data-packet="$0" data-host="$1" data-target="$2" data-phase="sent">' +
    '<circle cx="$3" cy="$4" r="3"/><text class="segment-label" x="$5" y="$6">$7</text></a>',
  dropped:
    '<a href="#r$e" class="mark segment dropped" data-kind="segment" data-record="$e" ' +
    'data-row="$w" data-packet="$0" data-host="$1" data-target="$2" data-phase="dropped" ' +
    'data-reason="$3"><line x1="$4" y1="$5" x2="$6" y2="$7"/>' +
    '<path class="cross" d="M$8 $9l8 8m0 -8l-8 8"/>' +
    '<text class="reason" x="$10" y="$11">$3</text></a>',
  delivered:
    '<a href="#r$e" class="mark segment delivered" data-kind="segment" data-record="$e" ' +
    'data-row="$w" data-packet="$0" data-host="$1" data-target="$2" data-phase="delivered">' +
    '<line x1="$3" y1="$4" x2="$5" y2="$6" marker-end="url(#arrow)"/></a>',
  unusual:
    '<a href="#r$e" class="mark segment delivered unusual" data-kind="segment" ' +
    'data-record="$e" data-row="$w" data-packet="$0" data-host="$1" data-target="$2" ' +
    'data-phase="delivered" data-reason="$3">' +
    '<line x1="$4" y1="$5" x2="$6" y2="$7" marker-end="url(#arrow)"/>' +
    '<text class="reason" x="$8" y="$9">$3</text></a>',
  mark: '<a href="$0" class="mark $1" data-kind="$2" data-record="$e" data-row="$w"$3>$4</a>',
  choice:
    '<a href="#c$0" class="mark choice" data-kind="choice" data-choice="$0" data-row="$w" ' +
    'data-default="true"><rect x="$1" y="$2" width="8" height="8"/></a>',
  nonDefault:
    '<a href="#c$0" class="mark choice non-default" data-kind="choice" data-choice="$0" ' +
    'data-row="$w" data-default="false"><rect x="$1" y="$2" width="8" height="8"/>' +
    '<text x="$3" y="$4">$5</text><title>$6</title></a>',
  failure:
    '<a href="#failure" class="failure-band"$0><rect x="0" y="$1" width="$2" height="$3"/>' +
    '<text x="4" y="$4">$5</text></a>',
  afterFree: '<line class="after-free" x1="$0" y1="$1" x2="$0" y2="$2"/>',
} as const;
type Template = keyof typeof T;

interface Attributes {
  readonly [name: string]: string | number | undefined;
}

function attributes(values: Attributes): string {
  let text = '';
  for (const name in values) {
    const value = values[name];
    if (value !== undefined) text += ` ${name}="${escape(String(value))}"`;
  }
  return text;
}

/** What a packet's journey looked like so far, to draw its arrow and mark the unusual. */
interface Sent {
  readonly x: number;
  readonly y: number;
  deliveries: number;
}

export class SvgWriter {
  readonly #records: readonly TraceRecord[];
  readonly #choices: readonly DrawnChoice[];
  readonly #layout: Layout;
  readonly #templates: string[] = [];
  readonly #templateIndex = new Map<Template, number>();
  readonly #items: Item[] = [];

  constructor(records: readonly TraceRecord[], choices: readonly DrawnChoice[], layout: Layout) {
    this.#records = records;
    this.#choices = choices;
    this.#layout = layout;
  }

  /** The lane headers: one SVG row, kept in view above the diagram. */
  header(): string {
    const { lanes, width } = this.#layout;
    const out: string[] = [];
    out.push(`<svg id="lanes-head" xmlns="http://www.w3.org/2000/svg" width="${width}" `);
    out.push(`height="34" viewBox="0 0 ${width} 34">`);
    let previousHost = '';
    for (const lane of lanes) {
      if (lane.host !== previousHost && lane.kind === 'host') {
        out.push(`<text class="host-name" x="${lane.x + 2}" y="12">${escape(lane.host)}</text>`);
      }
      previousHost = lane.host;
      if (lane.label !== '' && lane.kind !== 'host') {
        const label = escape(clip(lane.label, lane.kind === 'thread' ? 24 : 40));
        // IRP and pool columns are narrow: their two labels on two lines.
        const y = lane.kind === 'irp' ? 21 : 31;
        out.push(`<text class="lane-name" x="${lane.x + 2}" y="${y}">${label}</text>`);
      } else if (lane.kind === 'host') {
        out.push(`<text class="lane-name" x="${lane.x + 2}" y="31">calls, pool, verifier</text>`);
      }
    }
    out.push('</svg>');
    return out.join('');
  }

  /**
   * The diagram's frame (its lanes; the items go in its `#view`, in the browser) and its
   * drawing: every item, in painting order.
   */
  body(failure: Failure | undefined, page = false): { frame: string; drawing: Drawing } {
    const { width, height } = this.#layout;
    const h = Math.ceil(height);
    const frame =
      `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" ` +
      `height="${h}" viewBox="0 0 ${width} ${h}">${ARROW_MARKERS}${this.#lanes()}` +
      '<g id="view"></g></svg>';
    this.#breaks();
    this.#shading();
    this.#lives();
    this.#threads();
    this.#states();
    this.#timeLabels();
    this.#marks(!page);
    if (!page) this.#choiceMarks();
    if (failure !== undefined) this.#failure(failure);
    const drawing = { templates: this.#templates, items: this.#items };
    return { frame, drawing: page ? { ...drawing, page: this.#pageDrawing() } : drawing };
  }

  /** What the page's script needs to draw the segments and the choices (Drawing.page). */
  #pageDrawing(): NonNullable<Drawing['page']> {
    const layout = this.#layout;
    const hostX: Record<string, readonly [number, string]> = {};
    const place = (address: string): void => {
      if (address in hostX) return;
      const host = layout.hostOf.get(address) ?? address;
      const lane = layout.lane('host', host);
      if (lane !== undefined) hostX[address] = [center(lane), host];
    };
    for (const record of this.#records) {
      if (record.type !== 'net.packet') continue;
      place(record.source);
      place(record.target);
    }
    const names: Template[] = ['sent', 'dropped', 'delivered', 'unusual', 'choice', 'nonDefault'];
    const templates: Record<string, number> = {};
    for (const name of names) templates[name] = this.#template(name);
    const choices = layout.lane('choices', '');
    return {
      rowY: layout.rows.map((row) => row.y),
      hostX,
      choiceX: choices === undefined ? null : choices.x + 10,
      templates,
    };
  }

  #template(template: Template): number {
    let index = this.#templateIndex.get(template);
    if (index === undefined) {
      index = this.#templates.length;
      this.#templates.push(T[template]);
      this.#templateIndex.set(template, index);
    }
    return index;
  }

  /** Adds an item covering `top`..`bottom`; `row` ≥ 0 makes it a mark of that row. */
  #item(
    template: Template,
    top: number,
    bottom: number,
    row: number,
    entry: number | null,
    args: (number | string)[],
  ): void {
    const index = this.#template(template);
    this.#items.push([index, Math.floor(top), Math.ceil(bottom), row, entry, ...args]);
  }

  #y(row: number): number {
    return (this.#layout.rows[row]?.y ?? 0) + ROW / 2;
  }

  #lanes(): string {
    const { lanes, height } = this.#layout;
    let out = '';
    for (const lane of lanes) {
      const x = center(lane);
      const kind = lane.kind === 'choices' ? 'choice-lane' : 'lane';
      out +=
        `<line class="${kind} lane-${lane.kind}"${attributes({
          'data-kind': 'lane',
          'data-lane': lane.kind,
          'data-host': lane.host === '' ? undefined : lane.host,
          'data-socket': lane.kind === 'socket' ? lane.id : undefined,
          'data-thread': lane.kind === 'thread' ? lane.id : undefined,
        })} x1="${x}" y1="${TOP}" x2="${x}" y2="${Math.ceil(height)}">` +
        `<title>${escape(lane.label)}</title></line>`;
    }
    return out;
  }

  #breaks(): void {
    const { width } = this.#layout;
    for (const { y, span } of this.#layout.breaks) {
      const mid = y + BREAK_HEIGHT / 2;
      const args = [y, width, BREAK_HEIGHT, mid + 4, escape(formatDuration(span))];
      this.#item('break', y, y + BREAK_HEIGHT, -1, null, args);
    }
  }

  /** Partitions and crashes: the lanes of the hosts cut off, from the fault to its healing. */
  #shading(): void {
    const records = this.#records;
    const open = new Map<string, { row: number; verb: string; hosts: string[]; r: number }>();
    const end = this.#layout.rows.length - 1;
    const shade = (from: number, to: number, verb: string, hosts: string[], r: number): void => {
      const kind = verb.startsWith('partition') ? 'partition' : 'crash';
      for (const host of hosts) {
        const span = this.#hostSpan(host);
        if (span === null) continue;
        const top = this.#y(from) - ROW / 2;
        const bottom = this.#y(to) + ROW / 2;
        const args = [kind, escape(host), r, span[0], top, span[1] - span[0], bottom - top];
        this.#item('shade', top, bottom, -1, null, [...args, escape(verb)]);
      }
    };
    records.forEach((record, r) => {
      if (record.type !== 'net.fault') return;
      const row = this.#layout.recordRow[r] as number;
      const hosts = record.b === undefined ? [record.a] : [record.a, record.b];
      const key = hosts.slice().sort().join(' ');
      const { verb } = record;
      if (verb === 'partition' || verb === 'partition-one-way' || verb === 'crash') {
        open.set(`${verb === 'crash' ? 'crash' : 'partition'} ${key}`, { row, verb, hosts, r });
      } else if (verb === 'heal' || verb === 'heal-one-way' || verb === 'restart') {
        const name = `${verb === 'restart' ? 'crash' : 'partition'} ${key}`;
        const start = open.get(name);
        if (start !== undefined) {
          shade(start.row, row, start.verb, start.hosts, start.r);
          open.delete(name);
        }
      }
    });
    for (const start of open.values()) shade(start.row, end, start.verb, start.hosts, start.r);
  }

  #hostSpan(host: string): [number, number] | null {
    const lanes = this.#layout.lanes.filter((lane) => lane.host === host);
    const last = lanes[lanes.length - 1];
    if (last === undefined) return null;
    return [(lanes[0] as Lane).x, last.x + last.width];
  }

  #lives(): void {
    const draw = (life: Life, kind: 'irp' | 'pool'): void => {
      const top = this.#y(life.from) - 4;
      const open = life.to < 0;
      const bottom = open ? this.#layout.height - ROW : this.#y(life.to) + 4;
      const label = kind === 'irp' ? `IRP ${life.id} ${life.label}` : `block #${life.id}`;
      const title =
        `${life.host}: ${label}${kind === 'pool' ? ` (${life.label})` : ''}` +
        (open ? ', never freed' : '');
      const height = Math.max(8, bottom - top);
      this.#item('life', top, top + height, -1, null, [
        `${kind}${open ? ' open' : ''}`,
        kind,
        escape(life.host),
        kind === 'irp' ? 'data-irp' : 'data-block',
        life.id,
        life.lane.x + 3,
        top,
        life.lane.width - 6,
        height,
        escape(title),
      ]);
    };
    for (const life of this.#layout.irps) draw(life, 'irp');
    for (const life of this.#layout.blocks) draw(life, 'pool');
  }

  /**
   * Each system thread's life in its lane: running (from its start or the end of a wait to its
   * next wait or its end) and waiting (on what, to satisfied or timed out).
   */
  #threads(): void {
    const open = new Map<string, { row: number; state: string; what: string }>();
    const span = (key: string, to: number): void => {
      const from = open.get(key);
      if (from === undefined) return;
      const [host, id] = key.split(' ') as [string, string];
      const lane = this.#layout.lane('thread', host, Number(id));
      if (lane === undefined) return;
      const top = this.#y(from.row);
      const height = Math.max(2, this.#y(to) - top);
      const waiting = from.state === 'waiting';
      const x = lane.x + (waiting ? 4 : 6);
      const width = waiting ? 12 : 8;
      const title = `thread ${id} ${from.state}${from.what === '' ? '' : `: ${from.what}`}`;
      const text = waiting ? escape(clip(from.what.replace(/^.* on /, 'on '), 22)) : '';
      this.#item('thread', top, top + Math.max(height, waiting ? 12 : 0), -1, null, [
        from.state,
        escape(host),
        id,
        x,
        top,
        width,
        height,
        escape(title),
        lane.x + 18,
        top + 10,
        text,
      ]);
    };
    this.#records.forEach((record, r) => {
      if (record.type !== 'nt.thread') return;
      const key = `${record.host} ${record.thread}`;
      const row = this.#layout.recordRow[r] as number;
      span(key, row);
      if (record.event === 'ended') open.delete(key);
      else {
        const waiting = record.event === 'waiting';
        const what = waiting ? (record.detail ?? '') : '';
        open.set(key, { row, state: waiting ? 'waiting' : 'running', what });
      }
    });
    const end = this.#layout.rows.length - 1;
    for (const key of [...open.keys()]) span(key, end);
  }

  /** Each connection's TCP state as a band from one transition to the next. */
  #states(): void {
    const open = new Map<string, { row: number; state: string }>();
    const band = (host: string, conn: number, from: number, to: number, state: string): void => {
      const lane = this.#layout.lane('conn', host, conn);
      if (lane === undefined || state === 'CLOSED') return;
      const top = this.#y(from);
      const height = Math.max(2, this.#y(to) - top);
      this.#item('state', top, top + Math.max(height, 12), -1, null, [
        escape(host),
        conn,
        escape(state),
        lane.x + 6,
        top,
        height,
        lane.x + 18,
        top + 10,
      ]);
    };
    this.#records.forEach((record, r) => {
      if (record.type !== 'tcp.transition') return;
      const key = `${record.host} ${record.conn}`;
      const row = this.#layout.recordRow[r] as number;
      const previous = open.get(key);
      if (previous !== undefined) band(record.host, record.conn, previous.row, row, previous.state);
      open.set(key, { row, state: record.to });
    });
    const end = this.#layout.rows.length - 1;
    for (const [key, { row, state }] of open) {
      const [host, conn] = key.split(' ') as [string, string];
      band(host, Number(conn), row, end, state);
    }
  }

  #timeLabels(): void {
    let last = -Infinity;
    let lastAt = -1;
    for (const row of this.#layout.rows) {
      if (row.at === lastAt || row.y - last < ROW * 1.5) continue;
      this.#item('time', row.y, row.y + ROW, -1, null, [
        GUTTER - 6,
        row.y + 10,
        formatInstant(row.at),
      ]);
      last = row.y;
      lastAt = row.at;
    }
  }

  /** Every record's mark; the segments' only with `packets` (a page draws its own). */
  #marks(packets: boolean): void {
    const sent = new Map<number, Sent>();
    const lastDelivered = new Map<string, number>();
    this.#records.forEach((record, r) => {
      if (record.type === 'net.packet') {
        if (!packets) return;
        const y = this.#y(this.#layout.recordRow[r] as number);
        this.#packet(record, r, y, sent, lastDelivered);
      } else this.#mark(record, r, this.#y(this.#layout.recordRow[r] as number));
    });
  }

  #packet(
    record: TraceRecord & { type: 'net.packet' },
    r: number,
    y: number,
    sent: Map<number, Sent>,
    lastDelivered: Map<string, number>,
  ): void {
    const hostOf = this.#layout.hostOf;
    const source = hostOf.get(record.source) ?? record.source;
    const target = hostOf.get(record.target) ?? record.target;
    const from = this.#layout.lane('host', source);
    const to = this.#layout.lane('host', target);
    if (from === undefined || to === undefined) return;
    const row = this.#layout.recordRow[r] as number;
    const common = [record.id, escape(source), escape(target)];
    const tx = center(to);
    const fx = center(from);
    if (record.phase === 'sent') {
      const previous = sent.get(record.id);
      sent.set(record.id, { x: fx, y, deliveries: previous?.deliveries ?? 0 });
      const label = escape(clip(record.info ?? `${record.bytes} bytes`, 44));
      this.#item('sent', y - 6, y + 6, row, r, [...common, fx, y, fx + 6, y + 3, label]);
      return;
    }
    const start = sent.get(record.id) ?? { x: fx, y, deliveries: 0 };
    const top = Math.min(start.y, y) - 6;
    if (record.phase === 'dropped') {
      const ex = Math.round(start.x + (tx - start.x) * 0.4);
      const reason = escape(record.reason ?? 'dropped');
      this.#item('dropped', top, y + 6, row, r, [
        ...common,
        reason,
        start.x,
        start.y,
        ex,
        y,
        ex - 4,
        y - 4,
        ex + 6,
        y + 3,
      ]);
      return;
    }
    start.deliveries++;
    const direction = `${record.source} ${record.target}`;
    const reasons: string[] = [];
    if (start.deliveries > 1) reasons.push('duplicate');
    if ((lastDelivered.get(direction) ?? -1) > record.id) reasons.push('reordered');
    lastDelivered.set(direction, Math.max(lastDelivered.get(direction) ?? -1, record.id));
    const line = [start.x, start.y, tx, y];
    if (reasons.length === 0) this.#item('delivered', top, y + 6, row, r, [...common, ...line]);
    else {
      const args = [...common, reasons.join(', '), ...line, tx + 6, y + 3];
      this.#item('unusual', top, y + 6, row, r, args);
    }
  }

  #mark(record: TraceRecord, r: number, y: number): void {
    const mark = describe(record);
    const lane =
      (mark.lane !== 'host' ? this.#laneOf(record, r) : undefined) ??
      this.#layout.lane('host', 'host' in record ? record.host : '');
    if (lane === undefined) return;
    const x = center(lane);
    const row = this.#layout.recordRow[r] as number;
    let { text, extra } = mark;
    let data = mark.data;
    let top = y - 7;
    if (record.type === 'nt.pool' && record.event === 'touched') {
      // A touch after the block's free: its column goes on, dashed, from the free to the touch.
      const life = this.#layout.lifeOf(r);
      if (life !== undefined && life.to >= 0 && life.to < row) {
        const freed = this.#y(life.to);
        this.#item('afterFree', freed, y, -1, null, [x, freed, y]);
        text = `block #${record.block} touched after its free`;
        extra += ' after-free';
        data = { ...data, 'data-after-free': 'true' };
        top = freed;
      }
    }
    const label = text === '' ? '' : `<text x="${x + 7}" y="${y + 3}">${escape(text)}</text>`;
    const link = mark.kind === 'violation' ? '#failure' : `#r${r}`;
    const hooks = attributes({ 'data-host': 'host' in record ? record.host : undefined, ...data });
    this.#item('mark', top, y + 7, row, r, [
      link,
      `${mark.kind}${extra}`,
      mark.kind,
      hooks,
      shape(mark.kind, x, y) + label,
    ]);
  }

  #laneOf(record: TraceRecord, index: number): Lane | undefined {
    const layout = this.#layout;
    switch (record.type) {
      case 'wsk.socket':
      case 'wsk.callback':
        return layout.lane('socket', record.host, record.socket);
      case 'tcp.listener':
      case 'tcp.offer':
        return layout.lane('listener', record.host, record.listener);
      case 'tcp.transition':
      case 'tcp.outcome':
      case 'tcp.drop':
        return layout.lane('conn', record.host, record.conn);
      case 'nt.irp':
      case 'nt.pool':
        return layout.lifeOf(index)?.lane;
      case 'nt.thread':
        return layout.lane('thread', record.host, record.thread);
      default:
        return undefined;
    }
  }

  #choiceMarks(): void {
    const lane = this.#layout.lane('choices', '');
    if (lane === undefined) return;
    const x = lane.x + 10;
    this.#layout.rows.forEach((row, index) => {
      if (row.choice < 0) return;
      const choice = this.#choices[row.choice] as DrawnChoice;
      const y = row.y + ROW / 2;
      const entry = -1 - row.choice;
      if (choice.value === choice.min) {
        // A default choice's label is in the trace (hovering shows it): runs draw thousands.
        this.#item('choice', y - 4, y + 4, index, entry, [row.choice, x - 4, y - 4]);
        return;
      }
      const value = choice.kind === 'chance' ? String(choice.value === 1) : String(choice.value);
      const text = `${choice.label} = ${value}`;
      this.#item('nonDefault', y - 4, y + 4, index, entry, [
        row.choice,
        x - 4,
        y - 4,
        x + 8,
        y + 3,
        escape(clip(text, 30)),
        escape(text),
      ]);
    });
  }

  #failure(failure: Failure): void {
    const row = failureRow(this.#records, this.#layout, failure);
    const y = this.#y(row);
    const { width } = this.#layout;
    const kind = failure.details !== undefined ? 'violation' : 'failure';
    const title = failure.details?.rule ?? failure.kind;
    const hooks = attributes({
      'data-kind': kind,
      'data-rule': failure.details?.rule,
      'data-host': failure.details?.host,
      'data-irp': failure.details?.irp,
      'data-socket': failure.details?.socket,
    });
    // A violation's message already starts with its rule ('POOL-USE-AFTER-FREE: read of …').
    const message = failure.message;
    const said = message.startsWith(`${title}: `) ? message : `${title}: ${message}`;
    const text = escape(clip(said, 120));
    this.#item('failure', y - ROW / 2, y + ROW / 2, -1, null, [
      hooks,
      y - ROW / 2,
      width,
      ROW,
      y + 4,
      text,
    ]);
  }
}

const ARROW_MARKERS =
  '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" ' +
  'markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z"/></marker></defs>';

interface Mark {
  readonly kind: string;
  readonly lane: Lane['kind'];
  readonly text: string;
  readonly extra: string;
  readonly data: Attributes;
}

/** A record's mark: its kind (data-kind), the lane it goes in, its label, its hooks. */
function describe(record: TraceRecord): Mark {
  const mark = (
    kind: string,
    lane: Lane['kind'],
    text: string,
    data: Attributes = {},
    extra = '',
  ): Mark => ({ kind, lane, text, data, extra });
  switch (record.type) {
    case 'wsk.call':
      return mark('wsk-call', 'host', `${record.call} ${short(record.status)}`.trim(), {
        'data-status': record.status,
      });
    case 'wsk.callback':
      return mark(
        'callback',
        'socket',
        `${record.callback} → ${short(record.status)}`,
        { 'data-socket': record.socket, 'data-status': record.status },
      );
    case 'wsk.socket':
      return mark('socket', 'socket', record.event, { 'data-socket': record.socket });
    case 'wsk.provider-ready':
      return mark('wsk-call', 'host', 'provider ready');
    case 'nt.irp': {
      const failed = record.status !== undefined && !/SUCCESS|PENDING/.test(record.status);
      const text = record.event === 'completed' ? short(record.status) : '';
      return mark(
        'irp',
        'irp',
        record.event === 'allocated' ? `IRP ${record.irp}` : text,
        { 'data-irp': record.irp, 'data-event': record.event, 'data-status': record.status },
        `${failed ? ' failed' : ''} irp-${record.event}`,
      );
    }
    case 'nt.pool':
      return mark(
        'pool',
        'pool',
        record.event === 'allocated' ? `${record.tag}` : '',
        { 'data-block': record.block, 'data-event': record.event },
        ` pool-${record.event}`,
      );
    case 'nt.violation':
      // No label of its own: the failure's band across every lane at this row names the rule.
      return mark('violation', 'host', '', { 'data-rule': record.rule });
    case 'nt.advisory':
      return mark('advisory', 'host', `advisory ${record.rule}`, { 'data-rule': record.rule });
    case 'tcp.transition':
      return mark('tcp', 'conn', '', { 'data-conn': record.conn, 'data-state': record.to });
    case 'tcp.outcome':
      return mark('tcp', 'conn', record.outcome, { 'data-conn': record.conn });
    case 'tcp.drop':
      return mark('tcp-drop', 'conn', `drop: ${record.reason}`, { 'data-conn': record.conn });
    case 'tcp.listener':
      return mark('listener', 'listener', `${record.event} ${record.detail}`.trim(), {
        'data-listener': record.listener,
      });
    case 'tcp.offer':
      return mark('inspection', 'listener', `offer ${record.offer} ${record.event}`, {
        'data-listener': record.listener,
        'data-offer': record.offer,
        'data-event': record.event,
      });
    case 'tcp.crash':
      return mark('crash', 'host', `crash (${record.connections} connections)`);
    case 'net.fault':
      return mark('fault', 'host', `${record.verb} ${record.a} ${record.b ?? ''}`.trim());
    case 'net.packet':
      return mark('segment', 'host', '');
    case 'udp.port':
      return mark('udp', 'host', `udp ${record.event} ${record.address}:${record.port}`);
    case 'udp.drop':
      return mark('udp-drop', 'host', `udp drop: ${record.reason} (port ${record.port})`);
    case 'udp.unreachable':
      return mark('udp-drop', 'host', `port unreachable ${record.remote}:${record.port}`);
    case 'nt.debug-print':
      return mark('debug-print', 'host', `DbgPrint: ${record.text}`);
    case 'nt.thread':
      return mark(
        'thread',
        'thread',
        record.event === 'waiting' || record.event === 'satisfied' ? '' : threadText(record),
        { 'data-thread': record.thread, 'data-event': record.event },
        ` thread-${record.event}`,
      );
  }
}

/** A thread's start, end or timed-out wait, as its lane shows it. */
function threadText(record: TraceRecord & { type: 'nt.thread' }): string {
  if (record.event === 'started') return `started ${record.detail ?? ''}`.trimEnd();
  if (record.event === 'ended') return `ended ${short(record.status)}`.trimEnd();
  return record.event;
}

function shape(kind: string, x: number, y: number): string {
  switch (kind) {
    case 'wsk-call':
      return `<rect x="${x - 4}" y="${y - 4}" width="8" height="8"/>`;
    case 'callback':
    case 'inspection':
      return `<path d="M${x} ${y - 5}l5 5l-5 5l-5 -5z"/>`;
    case 'violation':
      return `<path d="M${x} ${y - 7}l7 12h-14z"><title>violation</title></path>`;
    default:
      return `<circle cx="${x}" cy="${y}" r="3.5"/>`;
  }
}
