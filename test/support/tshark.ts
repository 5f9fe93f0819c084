/**
 * tshark as a test oracle for the pcaps the simulator writes (issue 3 "Tests",
 * docs/tcp.md#capture-format): a pcap passes when tshark decodes every packet with no malformed
 * packet, no error-level expert info and every checksum verified good, and tshark's own TCP
 * analysis flags the retransmissions and port reuse the run should show.
 *
 * tshark is a system package (Debian `tshark`, installed by .ci/run). Without it a test skips
 * and says why, except under CI=true, where nothing may skip and the test fails instead.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it, type TestContext } from 'vitest';

export const TSHARK_MISSING = 'tshark not installed: apt-get install tshark';

/** Wireshark's expert severities (epan/proto.h PI_*), as `_ws.expert.severity` prints them. */
export const EXPERT_CHAT = 0x00200000;
export const EXPERT_NOTE = 0x00400000;
export const EXPERT_WARN = 0x00600000;
export const EXPERT_ERROR = 0x00800000;

/** `tcp.checksum.status` / `ip.checksum.status` values (epan/proto.h PROTO_CHECKSUM_E_*). */
export const CHECKSUM_BAD = 0;
export const CHECKSUM_GOOD = 1;

/** The per-packet flags of tshark's TCP sequence analysis, without the `tcp.analysis.` prefix. */
export const ANALYSIS_FLAGS = [
  'retransmission',
  'fast_retransmission',
  'spurious_retransmission',
  'out_of_order',
  'reused_ports',
  'lost_segment',
  'ack_lost_segment',
  'duplicate_ack',
  'window_update',
  'window_full',
  'zero_window',
  'zero_window_probe',
  'zero_window_probe_ack',
  'keep_alive',
  'keep_alive_ack',
] as const;
export type AnalysisFlag = (typeof ANALYSIS_FLAGS)[number];

/** Every decode verifies both checksums, analyses sequence numbers and resolves no names. */
const TSHARK_OPTIONS = [
  '-n',
  '-o', 'tcp.check_checksum:TRUE',
  '-o', 'ip.check_checksum:TRUE',
  '-o', 'udp.check_checksum:TRUE',
  '-o', 'tcp.analyze_sequence_numbers:TRUE',
];

const FIELDS = [
  'frame.number',
  'frame.time_epoch',
  'frame.protocols',
  '_ws.malformed',
  '_ws.expert.severity',
  '_ws.expert.message',
  'ip.checksum.status',
  'tcp.checksum.status',
  'udp.checksum.status',
  ...ANALYSIS_FLAGS.map((flag) => `tcp.analysis.${flag}`),
];
const AGGREGATOR = '|';

let available: boolean | undefined;

/** Whether a tshark binary runs on this machine (checked once per process). */
export function tsharkAvailable(): boolean {
  if (available === undefined) {
    const result = spawnSync('tshark', ['--version'], { encoding: 'utf8', timeout: 30_000 });
    available = result.error === undefined && result.status === 0;
  }
  return available;
}

/**
 * Call first in a test that needs tshark: returns when tshark is there; otherwise skips the
 * test with the reason, or fails it under CI=true, where nothing may skip.
 */
export function requireTshark(context: TestContext): void {
  if (tsharkAvailable()) return;
  if (process.env['CI'] === 'true') {
    throw new Error(`${TSHARK_MISSING} (CI=true: tshark tests fail instead of skipping)`);
  }
  console.warn(`skipping "${context.task.name}": ${TSHARK_MISSING}`);
  context.skip(TSHARK_MISSING);
}

/** `it`, for a test that needs tshark (see requireTshark). */
export function itWithTshark(name: string, body: (context: TestContext) => void | Promise<void>): void {
  it(name, async (context) => {
    requireTshark(context);
    await body(context);
  });
}

/** Runs `tshark -r pcapPath ...args` and returns its standard output; throws if tshark fails. */
export function runTshark(pcapPath: string, args: readonly string[]): string {
  const result = spawnSync('tshark', ['-r', pcapPath, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  if (result.error !== undefined) throw new Error(`tshark did not run: ${result.error.message}`);
  const warnings = tsharkWarnings(result.stderr);
  if (result.status !== 0 || warnings.length > 0) {
    throw new Error(
      `tshark -r ${pcapPath} ${args.join(' ')} exited with ${String(result.status)}:\n` +
        warnings.join('\n'),
    );
  }
  return result.stdout;
}

/** What tshark says on stderr, minus its warning about running as root. */
function tsharkWarnings(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('Running as user'));
}

let pcapDirectory: string | undefined;

/**
 * Writes `bytes` to `<os.tmpdir()>/wsksim-pcap-XXXXXX/<name>.pcap` and returns the path. The
 * files stay after the run, so a failing assertion's path can be opened in Wireshark.
 */
export function writeTempPcap(name: string, bytes: Uint8Array): string {
  pcapDirectory ??= mkdtempSync(join(tmpdir(), 'wsksim-pcap-'));
  const path = join(pcapDirectory, `${name.replace(/[^\w.-]+/g, '-')}.pcap`);
  writeFileSync(path, bytes);
  return path;
}

/** One packet as tshark decoded it. */
export interface TsharkPacket {
  readonly frame: number;
  /** The record's timestamp in nanoseconds since the epoch, exactly as tshark read it. */
  readonly at: number;
  /** e.g. 'raw:ip:tcp' or 'raw:ipv6:tcp'. */
  readonly protocols: string;
  readonly malformed: boolean;
  readonly expert: readonly { readonly severity: number; readonly message: string }[];
  /** undefined for IPv6, which has no header checksum. */
  readonly ipChecksumStatus: number | undefined;
  readonly tcpChecksumStatus: number | undefined;
  /** For a non-TCP payload, which the captures write as UDP (src/report/datagram.ts). */
  readonly udpChecksumStatus: number | undefined;
  /** tshark's TCP analysis flags on this packet, in ANALYSIS_FLAGS order. */
  readonly analysis: readonly AnalysisFlag[];
}

/** Decodes every packet of the pcap with checksum validation on (one tshark run). */
export function decodeWithTshark(pcapPath: string): TsharkPacket[] {
  const output = runTshark(pcapPath, [
    ...TSHARK_OPTIONS,
    '-T', 'fields',
    '-E', 'separator=/t',
    '-E', 'occurrence=a',
    '-E', `aggregator=${AGGREGATOR}`,
    ...FIELDS.flatMap((field) => ['-e', field]),
  ]);
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => parsePacketLine(line, pcapPath));
}

function parsePacketLine(line: string, pcapPath: string): TsharkPacket {
  const columns = line.split('\t');
  if (columns.length !== FIELDS.length) {
    const counts = `${columns.length} fields, expected ${FIELDS.length}`;
    throw new Error(`${pcapPath}: tshark printed ${counts}`);
  }
  const column = (field: string): string => columns[FIELDS.indexOf(field)] ?? '';
  const severities = splitAggregate(column('_ws.expert.severity')).map(Number);
  const messages = splitAggregate(column('_ws.expert.message'));
  return {
    frame: Number(column('frame.number')),
    at: epochToNanoseconds(column('frame.time_epoch')),
    protocols: column('frame.protocols'),
    malformed: column('_ws.malformed') !== '',
    expert: severities.map((severity, index) => ({ severity, message: messages[index] ?? '' })),
    ipChecksumStatus: optionalNumber(column('ip.checksum.status')),
    tcpChecksumStatus: optionalNumber(column('tcp.checksum.status')),
    udpChecksumStatus: optionalNumber(column('udp.checksum.status')),
    analysis: ANALYSIS_FLAGS.filter((flag) => column(`tcp.analysis.${flag}`) !== ''),
  };
}

function splitAggregate(text: string): string[] {
  return text === '' ? [] : text.split(AGGREGATOR);
}

function optionalNumber(text: string): number | undefined {
  // A field can repeat (an ICMP error quotes a second IP header); the outer one comes first.
  const first = splitAggregate(text)[0];
  return first === undefined ? undefined : Number(first);
}

/** '12.000000345' → 12000000345, without going through a float. */
export function epochToNanoseconds(text: string): number {
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (match === null) throw new Error(`unexpected frame.time_epoch ${JSON.stringify(text)}`);
  return Number(match[1]) * 1e9 + Number((match[2] ?? '').padEnd(9, '0'));
}

/** Everything wrong with the decode, one line per problem; empty when the pcap is clean. */
export function decodeProblems(packets: readonly TsharkPacket[]): string[] {
  const problems: string[] = [];
  for (const packet of packets) {
    const where = `frame ${packet.frame}`;
    if (packet.malformed) problems.push(`${where}: malformed`);
    // Data above TCP may be dissected further (port 80 as HTTP): TCP over IP is what counts;
    // a payload that is not a segment is written as UDP carrying its description; a real UDP
    // datagram may be dissected further too (port 7 as echo). An ICMP port unreachable quoting a
    // datagram (src/report/icmp.ts) is checked by its own test, which reads its checksum status.
    const isUdp = /^raw:ipv?6?:udp(:|$)/.test(packet.protocols);
    const isIcmp = /^raw:ip(v6)?:icmp(v6)?:ip(v6)?:udp(:|$)/.test(packet.protocols);
    if (!isUdp && !isIcmp && !/^raw:ipv?6?:tcp(:|$)/.test(packet.protocols)) {
      problems.push(`${where}: decoded as ${packet.protocols}`);
    }
    for (const { severity, message } of packet.expert) {
      if (severity >= EXPERT_ERROR) problems.push(`${where}: expert error: ${message}`);
    }
    const isIpv4 = packet.protocols.split(':').includes('ip');
    if (isIpv4 && packet.ipChecksumStatus !== CHECKSUM_GOOD) {
      problems.push(`${where}: IPv4 header checksum status ${String(packet.ipChecksumStatus)}`);
    }
    if (isIcmp) continue;
    const [protocol, status] = isUdp
      ? ['UDP', packet.udpChecksumStatus]
      : ['TCP', packet.tcpChecksumStatus];
    if (status !== CHECKSUM_GOOD) {
      problems.push(`${where}: ${protocol} checksum status ${String(status)}`);
    }
  }
  return problems;
}

/**
 * Asserts that tshark decodes the pcap with no malformed packet, no error-level expert info,
 * only TCP (or UDP, for payloads that are not segments) over IP, and every IPv4 header, TCP and
 * UDP checksum verified good; returns the packets
 * for further assertions.
 */
export function expectCleanDecode(pcapPath: string, expectedPackets?: number): TsharkPacket[] {
  const packets = decodeWithTshark(pcapPath);
  const problems = decodeProblems(packets);
  if (expectedPackets !== undefined && packets.length !== expectedPackets) {
    problems.unshift(`tshark decoded ${packets.length} packets, expected ${expectedPackets}`);
  }
  if (problems.length > 0) {
    throw new Error(`tshark found problems in ${pcapPath}:\n  ${problems.join('\n  ')}`);
  }
  return packets;
}

/** tshark's TCP analysis flags per frame number (1-based), including frames with none. */
export function analysisFlags(pcapPath: string): Map<number, readonly AnalysisFlag[]> {
  return new Map(decodeWithTshark(pcapPath).map((packet) => [packet.frame, packet.analysis]));
}

/** The frame numbers tshark marks with `flag`, e.g. framesFlagged(path, 'retransmission'). */
export function framesFlagged(pcapPath: string, flag: AnalysisFlag): number[] {
  return decodeWithTshark(pcapPath)
    .filter((packet) => packet.analysis.includes(flag))
    .map((packet) => packet.frame);
}
