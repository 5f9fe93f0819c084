/**
 * The timeline's SVG, drawn here rather than in the browser, so the page shows the run without
 * script and its marks are in the DOM as soon as it loads. Every mark carries stable hooks for
 * tests and readers (README "Seeing a run: the HTML timeline"): `data-kind`, `data-host`,
 * `data-socket`, `data-irp`, `data-block`, `data-record` (the record's index in the trace) and
 * `data-choice`; each mark links to its record in the trace listed under the diagram.
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
  return lane.kind === 'irp' || lane.kind === 'pool' ? lane.x + lane.width / 2 : lane.x + 10;
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
  #out: string[] = [];
  readonly #records: readonly TraceRecord[];
  readonly #choices: readonly DrawnChoice[];
  readonly #layout: Layout;

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
        const label = escape(lane.label);
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

  /** Appends the diagram to `out` (one page, one join: the page of a long run is megabytes). */
  body(failure: Failure | undefined, out: string[]): void {
    const { width, height } = this.#layout;
    this.#out = out;
    out.push(`<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" `);
    out.push(`height="${Math.ceil(height)}" viewBox="0 0 ${width} ${Math.ceil(height)}">`);
    out.push(ARROW_MARKERS);
    this.#lanes();
    this.#breaks();
    this.#shading();
    this.#lives();
    this.#states();
    this.#timeLabels();
    this.#marks();
    this.#choiceMarks();
    if (failure !== undefined) this.#failure(failure);
    out.push('</svg>');
  }

  #y(row: number): number {
    return (this.#layout.rows[row]?.y ?? 0) + ROW / 2;
  }

  #lanes(): void {
    const { lanes, height } = this.#layout;
    for (const lane of lanes) {
      const x = center(lane);
      const kind = lane.kind === 'choices' ? 'choice-lane' : 'lane';
      this.#out.push(
        `<line class="${kind} lane-${lane.kind}"${attributes({
          'data-kind': 'lane',
          'data-lane': lane.kind,
          'data-host': lane.host === '' ? undefined : lane.host,
          'data-socket': lane.kind === 'socket' ? lane.id : undefined,
        })} x1="${x}" y1="${TOP}" x2="${x}" y2="${Math.ceil(height)}"/>`,
      );
    }
  }

  #breaks(): void {
    const { width } = this.#layout;
    for (const { y, span } of this.#layout.breaks) {
      const mid = y + BREAK_HEIGHT / 2;
      this.#out.push(
        `<g class="break" data-kind="break"><rect x="0" y="${y}" width="${width}" ` +
          `height="${BREAK_HEIGHT}"/><text x="4" y="${mid + 4}">` +
          `… ${escape(formatDuration(span))} idle</text></g>`,
      );
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
        this.#out.push(
          `<rect class="${kind}"${attributes({
            'data-kind': kind,
            'data-host': host,
            'data-record': r,
          })} x="${span[0]}" y="${top}" width="${span[1] - span[0]}" ` +
            `height="${bottom - top}"><title>${escape(verb)}</title></rect>`,
        );
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
      const id = kind === 'irp' ? { 'data-irp': life.id } : { 'data-block': life.id };
      const label = kind === 'irp' ? `IRP ${life.id} ${life.label}` : `block #${life.id}`;
      this.#out.push(
        `<rect class="life ${kind}${open ? ' open' : ''}"${attributes({
          'data-kind': kind,
          'data-host': life.host,
          ...id,
        })} x="${life.lane.x + 3}" y="${top}" width="${life.lane.width - 6}" ` +
          `height="${Math.max(8, bottom - top)}" rx="3"><title>${escape(
            `${life.host}: ${label}${kind === 'pool' ? ` (${life.label})` : ''}` +
              (open ? ', never freed' : ''),
          )}</title></rect>`,
      );
    };
    for (const life of this.#layout.irps) draw(life, 'irp');
    for (const life of this.#layout.blocks) draw(life, 'pool');
  }

  /** Each connection's TCP state as a band from one transition to the next. */
  #states(): void {
    const open = new Map<string, { row: number; state: string }>();
    const band = (host: string, conn: number, from: number, to: number, state: string): void => {
      const lane = this.#layout.lane('conn', host, conn);
      if (lane === undefined || state === 'CLOSED') return;
      const top = this.#y(from);
      const height = Math.max(2, this.#y(to) - top);
      this.#out.push(
        `<g class="state"${attributes({
          'data-kind': 'state',
          'data-host': host,
          'data-conn': conn,
          'data-state': state,
        })}><rect x="${lane.x + 6}" y="${top}" width="8" height="${height}"/>` +
          `<text x="${lane.x + 18}" y="${top + 10}">${escape(state)}</text></g>`,
      );
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
      this.#out.push(`<text class="time" x="${GUTTER - 6}" y="${row.y + 10}">`);
      this.#out.push(`${formatInstant(row.at)}</text>`);
      last = row.y;
      lastAt = row.at;
    }
  }

  #marks(): void {
    const sent = new Map<number, Sent>();
    const lastDelivered = new Map<string, number>();
    this.#records.forEach((record, r) => {
      const y = this.#y(this.#layout.recordRow[r] as number);
      if (record.type === 'net.packet') this.#packet(record, r, y, sent, lastDelivered);
      else this.#mark(record, r, y);
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
    const label = record.info ?? `${record.bytes} bytes`;
    // Built by hand, not with attributes(): a run has tens of thousands of these.
    const common =
      ` data-kind="segment" data-record="${r}" data-row="${this.#layout.recordRow[r]}"` +
      ` data-packet="${record.id}" data-host="${escape(source)}"` +
      ` data-target="${escape(target)}" data-phase="${record.phase}"`;
    const out = this.#out;
    const tx = center(to);
    const fx = center(from);
    if (record.phase === 'sent') {
      const previous = sent.get(record.id);
      sent.set(record.id, { x: fx, y, deliveries: previous?.deliveries ?? 0 });
      out.push(
        `<a href="#r${r}" class="mark segment sent"${common}>` +
          `<circle cx="${fx}" cy="${y}" r="3"/>` +
          `<text class="segment-label" x="${fx + 6}" y="${y + 3}">` +
          `${escape(clip(label, 44))}</text>` +
          '</a>',
      );
      return;
    }
    const start = sent.get(record.id) ?? { x: fx, y, deliveries: 0 };
    if (record.phase === 'dropped') {
      const ex = Math.round(start.x + (tx - start.x) * 0.4);
      const reason = record.reason ?? 'dropped';
      out.push(
        `<a href="#r${r}" class="mark segment dropped"${common} data-reason="${escape(reason)}">` +
          `<line x1="${start.x}" y1="${start.y}" x2="${ex}" y2="${y}"/>` +
          `<path class="cross" d="M${ex - 4} ${y - 4}l8 8m0 -8l-8 8"/>` +
          `<text class="reason" x="${ex + 6}" y="${y + 3}">${escape(reason)}</text></a>`,
      );
      return;
    }
    start.deliveries++;
    const direction = `${record.source} ${record.target}`;
    const reasons: string[] = [];
    if (start.deliveries > 1) reasons.push('duplicate');
    if ((lastDelivered.get(direction) ?? -1) > record.id) reasons.push('reordered');
    lastDelivered.set(direction, Math.max(lastDelivered.get(direction) ?? -1, record.id));
    const unusual = reasons.join(', ');
    const classes = `mark segment delivered${unusual === '' ? '' : ' unusual'}`;
    const data = unusual === '' ? common : `${common} data-reason="${unusual}"`;
    out.push(
      `<a href="#r${r}" class="${classes}"${data}>` +
        `<line x1="${start.x}" y1="${start.y}" x2="${tx}" y2="${y}" marker-end="url(#arrow)"/>` +
        (unusual === ''
          ? ''
          : `<text class="reason" x="${tx + 6}" y="${y + 3}">${escape(unusual)}</text>`) +
        '</a>',
    );
  }

  #mark(record: TraceRecord, r: number, y: number): void {
    const mark = describe(record);
    const lane =
      (mark.lane !== 'host' ? this.#laneOf(record, r) : undefined) ??
      this.#layout.lane('host', 'host' in record ? record.host : '');
    if (lane === undefined) return;
    const x = center(lane);
    const label = escape(mark.text);
    const text = mark.text === '' ? '' : `<text x="${x + 7}" y="${y + 3}">${label}</text>`;
    const link = mark.kind === 'violation' ? '#failure' : `#r${r}`;
    this.#out.push(
      `<a href="${link}" class="mark ${mark.kind}${mark.extra}"${attributes({
        'data-kind': mark.kind,
        'data-record': r,
        'data-row': this.#layout.recordRow[r],
        'data-host': 'host' in record ? record.host : undefined,
        ...mark.data,
      })}>${shape(mark.kind, x, y)}${text}</a>`,
    );
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
      const nonDefault = choice.value !== choice.min;
      const value = choice.kind === 'chance' ? String(choice.value === 1) : String(choice.value);
      const text = `${choice.label} = ${value}`;
      this.#out.push(
        `<a href="#c${row.choice}" class="mark choice${nonDefault ? ' non-default' : ''}"` +
          ` data-kind="choice" data-choice="${row.choice}" data-row="${index}"` +
          ` data-default="${nonDefault ? 'false' : 'true'}">` +
          `<rect x="${x - 4}" y="${y - 4}" width="8" height="8"/>` +
          // A default choice's label is in the trace (hovering shows it): runs draw thousands.
          (nonDefault
            ? `<text x="${x + 8}" y="${y + 3}">${escape(clip(text, 30))}</text>` +
              `<title>${escape(text)}</title>`
            : '') +
          '</a>',
      );
    });
  }

  #failure(failure: Failure): void {
    const row = failureRow(this.#records, this.#layout, failure);
    const y = this.#y(row);
    const { width } = this.#layout;
    const kind = failure.details !== undefined ? 'violation' : 'failure';
    const title = failure.details?.rule ?? failure.kind;
    this.#out.push(
      `<a href="#failure" class="failure-band"${attributes({
        'data-kind': kind,
        'data-rule': failure.details?.rule,
        'data-host': failure.details?.host,
        'data-irp': failure.details?.irp,
        'data-socket': failure.details?.socket,
      })}><rect x="0" y="${y - ROW / 2}" width="${width}" height="${ROW}"/>` +
        `<text x="4" y="${y + 4}">${escape(clip(`${title}: ${failure.message}`, 120))}</text></a>`,
    );
    this.#touched(failure, row);
  }

  /**
   * A pool block used after its free (the violation's history: 'accessed …' of 'pool block #N'):
   * its column goes on, dashed, from the free to the touch, marked where the failure is.
   */
  #touched(failure: Failure, row: number): void {
    const history = failure.details?.history ?? [];
    const block = Number(/pool block #(\d+)/.exec(history.join('\n'))?.[1] ?? NaN);
    const host = failure.details?.host;
    if (!history.some((line) => line.startsWith('accessed ')) || host === undefined) return;
    const life = this.#layout.blocks.filter((l) => l.host === host && l.id === block).pop();
    if (life === undefined || life.to < 0) return;
    const x = life.lane.x + life.lane.width / 2;
    const y = this.#y(row);
    this.#out.push(
      `<line class="after-free" x1="${x}" y1="${this.#y(life.to)}" x2="${x}" y2="${y}"/>` +
        `<a href="#failure" class="mark pool pool-touched"${attributes({
          'data-kind': 'pool',
          'data-event': 'touched',
          'data-host': host,
          'data-block': block,
          'data-row': row,
        })}><circle cx="${x}" cy="${y}" r="4.5"/>` +
        `<text x="${x + 7}" y="${y - 6}">block #${block} touched after its free</text></a>`,
    );
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
      return mark('thread', 'host', `thread ${record.thread} ${record.event}`, {
        'data-thread': record.thread,
        'data-event': record.event,
      });
  }
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
