/**
 * The HTML timeline of a run (README "Seeing a run: the HTML timeline"; `--html FILE` on
 * `wsksim run`, `replay` and `shrink`): one self-contained page, a pure function of the run's
 * trace records, the choices it drew (recorder.ts), its hosts and its failure. The page loads
 * nothing: its style and script are inline and its Content-Security-Policy forbids every fetch,
 * so it opens offline and cannot leak a request. The diagram is SVG written here (svg.ts) on the
 * layout of layout.ts; the script adds zoom, pan, search and keyboard navigation.
 */
import { formatRecord, type Failure, type TraceRecord } from '../../sim/index.ts';
import { TIMELINE_SCRIPT, TIMELINE_CSS } from './assets.ts';
import { layout, type TimelineHost } from './layout.ts';
import type { DrawnChoice } from './recorder.ts';
import { SvgWriter, escape } from './svg.ts';

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
  svg.body(input.failure, out);
  out.push(
    '</div><aside id="details">hover or select an event (j/k) to see its record</aside></div>',
  );
  if (input.failure !== undefined) out.push(failureSection(input, records));
  traceSection(records, choices, out);
  out.push(`<script>${TIMELINE_SCRIPT}</script></body></html>\n`);
  return out.join('');
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

/** Every record, and every choice where it was drawn: what each mark links to. */
function traceSection(
  records: readonly TraceRecord[],
  choices: readonly DrawnChoice[],
  out: string[],
): void {
  out.push('<section id="trace-section"><h2>Trace</h2><div id="trace">');
  let c = 0;
  const choiceLines = (upTo: number): void => {
    while (c < choices.length && (choices[c] as DrawnChoice).after <= upTo) {
      const choice = choices[c] as DrawnChoice;
      const nonDefault = choice.value !== choice.min;
      out.push(
        `<div id="c${c}" class="choice${nonDefault ? ' non-default' : ''}" data-choice="${c}">`,
        escape(choiceText(choice)),
        '</div>',
      );
      c++;
    }
  };
  records.forEach((record, r) => {
    choiceLines(r);
    out.push(`<div id="r${r}" data-record="${r}">#${r} ${escape(formatRecord(record))}</div>`);
  });
  choiceLines(records.length);
  out.push('</div></section>');
}

/** `choice <label> = <value>  [<stream>, <kind> <min>..<max>]`, as `run --choices` prints. */
function choiceText(choice: DrawnChoice): string {
  const shown = choice.kind === 'chance' ? String(choice.value === 1) : String(choice.value);
  const fault = choice.fault ? ', fault point' : '';
  const note = choice.value === choice.min ? '' : ' (not the default)';
  const range = `${choice.min}..${choice.max}`;
  const about = `${choice.stream}, ${choice.kind} ${range}${fault}`;
  return `  choice ${choice.label} = ${shown}  [${about}]${note}`;
}
