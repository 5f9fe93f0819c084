/**
 * The HTML timeline of a run (README "Seeing a run: the HTML timeline"; `--html FILE` on
 * `wsksim run`, `replay` and `shrink`): one self-contained page, a pure function of the run's
 * trace records, the choices it drew (recorder.ts), its hosts and its failure. The page loads
 * nothing: its style and script are inline and its Content-Security-Policy forbids every fetch,
 * so it opens offline and cannot leak a request. The diagram is SVG drawn here (svg.ts) on the
 * layout of layout.ts, as compact data the page's script puts in the DOM a window at a time: the
 * items in view, and the trace's lines in view (a run of 10,000 events is a page of a few MB that
 * opens at once). The script adds zoom, pan, search and keyboard navigation.
 */
import { formatRecord, type Failure, type TraceRecord } from '../../sim/index.ts';
import { TIMELINE_SCRIPT, TIMELINE_CSS } from './assets.ts';
import { RECORD_FIELDS } from '../trace-json.ts';
import { layout, type TimelineHost } from './layout.ts';
import type { DrawnChoice } from './recorder.ts';
import { SvgWriter, escape, expandItem, type Drawing } from './svg.ts';

export interface TimelineInput {
  /** The scenario's name. */
  readonly scenario: string;
  readonly seed: number;
  readonly status: 'passed' | 'failed';
  readonly records: readonly TraceRecord[];
  /** The choices the run drew, where it drew them. @defaultValue none */
  readonly choices?: readonly DrawnChoice[];
  /** The hosts' addresses, to draw packets between their lanes. @defaultValue none */
  readonly hosts?: readonly TimelineHost[];
  readonly failure?: Failure;
  /** The failure's report as the command prints it. @defaultValue the failure's message */
  readonly report?: string;
  /** A line naming how the run was made (the command that makes it again). */
  readonly subtitle?: string;
  /** The run's trace hash. */
  readonly traceHash?: string;
}

/** Content-Security-Policy of the page: inline style and script, nothing fetched. */
export const TIMELINE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

export function timelineHtml(input: TimelineInput): string {
  const records = input.records;
  const choices = input.choices ?? [];
  const geometry = layout(records, choices, input.hosts ?? []);
  const svg = new SvgWriter(records, choices, geometry);
  const nonDefault = choices.filter((choice) => choice.value !== choice.min).length;
  const title = `${input.scenario} seed ${input.seed}`;
  const out: string[] = [
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${TIMELINE_CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>wsksim: ${escape(title)} ${input.status}</title><style>${TIMELINE_CSS}</style></head>`,
    `<body data-scenario="${escape(input.scenario)}" data-seed="${input.seed}" `,
    `data-status="${input.status}">`,
    `<div id="bar"><h1>${escape(title)}</h1>`,
    `<span class="status-${input.status}">${input.status}</span>`,
    `<span>${records.length} records, ${choices.length} choices (${nonDefault} non-default)</span>`,
    input.traceHash === undefined ? '' : `<span>trace hash ${escape(input.traceHash)}</span>`,
    '<input id="search" type="search" placeholder="search: irp 7, server socket 1, host, text"',
    ' aria-label="search"><span id="search-count"></span>',
    '<button id="zoom-out" title="zoom out (-)">−</button><span id="zoom">100%</span>',
    '<button id="zoom-in" title="zoom in (+)">+</button>',
    '<button id="zoom-fit" title="the whole run">fit</button>',
    '<span id="keys">j/k: next/previous event · n/N: next/previous hit · v: violation · ',
    '/: search · drag: pan · Ctrl+wheel: zoom</span>',
    input.subtitle === undefined ? '' : `<span>${escape(input.subtitle)}</span>`,
    input.failure === undefined ? '' : '<a href="#failure">the failure</a>',
    '</div>',
    '<div id="main"><div id="scroll"><div id="head-wrap">',
    svg.header(),
    '</div>',
  ];
  const { frame, drawing } = svg.body(input.failure, true);
  out.push(
    frame,
    '</div><aside id="details">hover or select an event (j/k) to see its record</aside></div>',
  );
  if (input.failure !== undefined) out.push(failureSection(input, records));
  out.push(
    '<section id="trace-section"><h2>Trace</h2><div id="trace"></div></section>',
    '<script type="application/json" id="timeline-data">',
    pageData(drawing, records, choices),
    `</script><script>${TIMELINE_SCRIPT}</script></body></html>\n`,
  );
  return out.join('');
}

/**
 * The diagram's markup as the page draws it when every item is in view: each item, the segments
 * and choices included, one a line, in painting order (the page's script draws the segments and
 * choices last). For tests and tools that read the marks without a browser.
 */
export function timelineMarkup(input: TimelineInput): string {
  const records = input.records;
  const choices = input.choices ?? [];
  const svg = new SvgWriter(records, choices, layout(records, choices, input.hosts ?? []));
  const { frame, drawing } = svg.body(input.failure);
  const items = drawing.items.map((item) => expandItem(drawing.templates, item));
  return `${frame}\n${items.join('\n')}`;
}

/**
 * The page's data, JSON safe inside a script element: the drawing (svg.ts; each item's top as
 * the change from the previous one's, its bottom as its height), the records (each
 * `[shape, at, ...values]`, a shape being a type and its field names) and the choices
 * (`[after, label, stream, kind, value, min, max, fault]`), every text as the one-element array
 * of its index in the string table (a segment's description is in its three records): the
 * trace's lines, formatted in the page as formatRecord and `run --choices` print them.
 */
function pageData(
  drawing: Drawing,
  records: readonly TraceRecord[],
  choices: readonly DrawnChoice[],
): string {
  // Written as text, not built as arrays for JSON.stringify: a long run has tens of thousands of
  // records and items, and the arrays were most of the generation's time and garbage.
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const value = (v: string | number | boolean | null | undefined): string => {
    if (typeof v !== 'string') return v === undefined || v === null ? 'null' : String(v);
    let index = stringIndex.get(v);
    if (index === undefined) {
      index = strings.length;
      strings.push(v);
      stringIndex.set(v, index);
    }
    return `[${index}]`;
  };
  const out: string[] = [];
  // Items: top as the change from the previous item's, bottom as the height.
  let top = 0;
  out.push(`{"templates":${JSON.stringify(drawing.templates)},"items":[`);
  drawing.items.forEach((item, i) => {
    const at = item[1] as number;
    let text = `${i === 0 ? '' : ','}[${item[0]},${at - top},${(item[2] as number) - at}`;
    text += `,${item[3]},${item[4] ?? 'null'}`;
    for (let a = 5; a < item.length; a++) text += `,${value(item[a])}`;
    out.push(`${text}]`);
    top = at;
  });
  // Records: [shape, at, ...values], a shape being a type and its fields (RECORD_FIELDS).
  const shapes: string[] = [];
  const shapeOf = new Map<string, number>();
  out.push('],"records":[');
  records.forEach((record, r) => {
    let shape = shapeOf.get(record.type);
    if (shape === undefined) {
      shape = shapes.length;
      shapes.push(JSON.stringify([record.type, RECORD_FIELDS[record.type]]));
      shapeOf.set(record.type, shape);
    }
    const flat = record as unknown as Readonly<Record<string, string | number | boolean>>;
    let text = `${r === 0 ? '' : ','}[${shape},${record.at}`;
    for (const field of RECORD_FIELDS[record.type]) text += `,${value(flat[field])}`;
    out.push(`${text}]`);
  });
  out.push('],"choices":[');
  choices.forEach((c, i) => {
    const text =
      `${i === 0 ? '' : ','}[${c.after},${value(c.label)},${value(c.stream)},${value(c.kind)},` +
      `${c.value},${c.min},${c.max},${c.fault ? 1 : 0}]`;
    out.push(text);
  });
  const page = drawing.page;
  if (page !== undefined) {
    let y = 0;
    const rowY = page.rowY.map((next) => {
      const step = next - y;
      y = next;
      return step;
    });
    const { hostX, choiceX, templates } = page;
    out.push(`],"rowY":${JSON.stringify(rowY)},"hostX":${JSON.stringify(hostX)}`);
    out.push(`,"choiceX":${choiceX},"named":${JSON.stringify(templates)}`);
  } else out.push(']');
  out.push(`,"shapes":[${shapes.join(',')}],"strings":${JSON.stringify(strings)}}`);
  return out.join('').replace(/</g, '\\u003c');
}

function failureSection(input: TimelineInput, records: readonly TraceRecord[]): string {
  const failure = input.failure as Failure;
  const kind = failure.details !== undefined ? 'violation' : 'failure';
  const links: string[] = [];
  records.forEach((record, r) => {
    if (record.type === 'nt.violation' || record.type === 'nt.advisory')
      links.push(`<a href="#r${r}">record #${r}: ${escape(formatRecord(record))}</a>`);
  });
  return (
    `<section id="failure" data-kind="report" data-failure="${kind}">` +
    `<h2>${kind === 'violation' ? 'Violation' : 'Failure'}: ` +
    `${escape(failure.details?.rule ?? failure.kind)}</h2>` +
    `<pre>${escape(input.report ?? failure.message)}</pre>` +
    (links.length === 0 ? '' : `<p>${links.join('<br>')}</p>`) +
    '</section>'
  );
}
