/**
 * The report files one run can write, shared by `run`, `replay` and `shrink`: `--pcap FILE`
 * (classic pcap), `--pcapng FILE` (pcapng with an interface per link end and each packet's fate
 * as comments), `--mermaid FILE` (a sequence diagram, cut by `--last N` entries or the window
 * `--from T --to T`) and `--trace-json FILE` (the trace as JSON lines,
 * docs/trace-record.schema.json); src/report says what each holds. Every path is checked before
 * the run (output-paths.ts), and each file written is named on standard output with what it holds,
 * or why it holds nothing.
 */
import { writeFileSync } from 'node:fs';
import type { RunRequest, ScenarioResult } from '../explore/scenario.ts';
import { readPcap, readPcapng, traceJsonLines, type MermaidOptions } from '../report/index.ts';
import { parseDuration } from '../sim/index.ts';
import { UsageError, integerFlag, type ParsedArgs } from './args.ts';
import { checkOutputFile } from './output-paths.ts';
import type { Write } from './write.ts';

/** The flags that take a value. */
export const REPORT_VALUES = ['pcap', 'pcapng', 'mermaid', 'trace-json', 'last', 'from', 'to'];
/** The flags that name a file one run writes. */
export const REPORT_FILES = ['pcap', 'pcapng', 'mermaid', 'trace-json'] as const;

type ReportFile = (typeof REPORT_FILES)[number];

/** What the flags ask for: the files by flag, and the run request's part. */
export interface Reports {
  readonly files: ReadonlyMap<ReportFile, string>;
  readonly request: Pick<RunRequest, 'pcap' | 'pcapng' | 'mermaid' | 'keepTrace'>;
}

/** Reads and checks the report flags (paths writable, --last/--from/--to only with --mermaid). */
export function reportFlags(args: ParsedArgs): Reports {
  const files = new Map<ReportFile, string>();
  for (const flag of REPORT_FILES) {
    const path = args.values.get(flag);
    if (path === undefined) continue;
    checkOutputFile(flag, path);
    files.set(flag, path);
  }
  const mermaid = files.has('mermaid') ? mermaidOptions(args) : undefined;
  for (const flag of ['last', 'from', 'to']) {
    if (args.values.has(flag) && mermaid === undefined)
      throw new UsageError(`--${flag} limits --mermaid, and there is no --mermaid`);
  }
  return {
    files,
    request: {
      ...(files.has('pcap') && { pcap: true }),
      ...(files.has('pcapng') && { pcapng: true }),
      ...(mermaid !== undefined && { mermaid }),
      ...(files.has('trace-json') && { keepTrace: true }),
    },
  };
}

function mermaidOptions(args: ParsedArgs): MermaidOptions {
  const from = args.values.get('from');
  const to = args.values.get('to');
  const options = {
    ...(args.values.has('last') && { last: integerFlag(args, 'last', 1) }),
    ...(from !== undefined && { from: parseDuration('--from', from) as number }),
    ...(to !== undefined && { to: parseDuration('--to', to) as number }),
  };
  if (options.from !== undefined && options.to !== undefined && options.to < options.from)
    throw new UsageError(`--to ${to as string} is before --from ${from as string}`);
  return options;
}

/** Writes the files `reports` asks for from `result`, one line each on `out`. */
export function writeReports(reports: Reports, result: ScenarioResult, out: Write): void {
  for (const [flag, path] of reports.files) {
    const written = writeOne(flag, path, result);
    if (written !== null) out(`${written}\n`);
  }
}

function writeOne(flag: ReportFile, path: string, result: ScenarioResult): string | null {
  switch (flag) {
    case 'pcap': {
      if (result.pcap === undefined) return null;
      writeFileSync(path, result.pcap);
      return captured(path, 'pcap', readPcap(result.pcap).records.length);
    }
    case 'pcapng': {
      if (result.pcapng === undefined) return null;
      writeFileSync(path, result.pcapng);
      const file = readPcapng(result.pcapng);
      const on = `on ${file.interfaces.length} interface${file.interfaces.length === 1 ? '' : 's'}`;
      return captured(path, 'pcapng', file.packets.length, on);
    }
    case 'mermaid': {
      if (result.mermaid === undefined) return null;
      writeFileSync(path, result.mermaid);
      const lines = result.mermaid.split('\n');
      const entries = lines.filter((line) => /^ {2}(?!participant|%%)/.test(line));
      return `wrote ${path}: a Mermaid sequence diagram of ${entries.length} entries`;
    }
    case 'trace-json': {
      const records = result.trace ?? [];
      writeFileSync(path, traceJsonLines(records));
      return `wrote ${path}: ${records.length} trace records as JSON lines`;
    }
  }
}

function captured(path: string, format: string, packets: number, where = ''): string {
  const on = where === '' ? '' : ` ${where}`;
  if (packets > 0) return `wrote ${path}: ${packets} packets (${format})${on}`;
  return (
    `wrote ${path}: no packets captured: no packet left a host in this run ` +
    '(a packet refused at its host, for want of a route or with its host down, is not captured)'
  );
}
