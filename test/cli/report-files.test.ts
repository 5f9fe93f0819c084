/**
 * The report files of `run`, `replay` and `shrink` (src/cli/report-files.ts, issue 17):
 * `--pcap`, `--pcapng`, `--mermaid` (with `--last`, `--from`, `--to`) and `--trace-json` write
 * their files and name them with what they hold, leave the run (its trace hash) as it was, and an
 * unwritable path or a stray `--last` is refused before anything runs.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../src/cli/report-files.ts';
import type { ScenarioResult } from '../../src/explore/scenario.ts';
import { PcapWriter, PcapngWriter, readPcapng } from '../../src/report/index.ts';
import { cli } from '../support/cli.ts';
import { artifactsIn } from '../support/findings.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsksim-reports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hashOf(out: string): string | undefined {
  return /trace hash ([0-9a-f]{16})/.exec(out)?.[1];
}

describe('cli: report files', () => {
  it('run writes the four files, names each with what it holds, and the run is the same', async () => {
    const files = ['t.pcap', 't.pcapng', 't.mmd', 't.jsonl'].map((name) => join(dir, name));
    const [pcap, pcapng, mermaid, json] = files as [string, string, string, string];
    const plain = await cli(['run', 'transfer-under-loss', '--seed', '1']);
    const { code, out } = await cli(['run', 'transfer-under-loss', '--seed', '1', '--pcap', pcap, '--pcapng', pcapng, '--mermaid', mermaid, '--trace-json', json]);
    expect(code).toBe(0);
    expect(hashOf(out)).toBe(hashOf(plain.out));
    expect(out).not.toContain('net.packet'); // the trace is kept for the files, not printed
    expect(out).toMatch(new RegExp(`^wrote ${pcap}: \\d+ packets \\(pcap\\)$`, 'm'));
    expect(out).toMatch(new RegExp(`^wrote ${pcapng}: \\d+ packets \\(pcapng\\) on 2 interfaces$`, 'm'));
    expect(out).toMatch(new RegExp(`^wrote ${mermaid}: a Mermaid sequence diagram of \\d+ entries$`, 'm'));
    expect(out).toMatch(new RegExp(`^wrote ${json}: \\d+ trace records as JSON lines$`, 'm'));
    for (const file of files) expect(existsSync(file)).toBe(true);
    expect(readFileSync(mermaid, 'utf8')).toMatch(/^sequenceDiagram\n/);
    const records = Number(/(\d+) trace records/.exec(out)?.[1]);
    expect(readFileSync(json, 'utf8').split('\n').filter((l) => l !== '')).toHaveLength(records);
  });

  it('the showcase, whose traffic is not TCP, gives a capture of its packets as UDP', async () => {
    const path = join(dir, 'showcase.pcapng');
    const { code, out } = await cli(['run', 'showcase', '--pcapng', path]);
    expect(code).toBe(0);
    expect(out).toContain(`wrote ${path}: 36 packets (pcapng) on 2 interfaces`);
    const first = readPcapng(readFileSync(path)).packets[0];
    expect(first?.packet[9]).toBe(17);
    expect(Buffer.from(first?.packet.subarray(28) ?? []).toString()).toBe('ping #0');
  });

  it('an unwritable path is refused before the run, naming the flag (exit 2)', async () => {
    for (const flag of ['--pcap', '--pcapng', '--mermaid', '--trace-json']) {
      const path = join(dir, 'missing', 'x');
      const { code, out, err } = await cli(['run', 'showcase', flag, path]);
      expect(code).toBe(2);
      expect(err).toContain(`${flag} ${path}: directory`);
      expect(out).toBe('');
    }
  });

  it('--last, --from and --to need --mermaid; --to before --from is refused', async () => {
    const stray = await cli(['run', 'showcase', '--last', '3']);
    expect(stray.code).toBe(2);
    expect(stray.err).toContain('--last limits --mermaid, and there is no --mermaid');
    const backwards = await cli(['run', 'showcase', '--mermaid', join(dir, 'b.mmd'), '--from', '2s', '--to', '1s']);
    expect(backwards.code).toBe(2);
    expect(backwards.err).toContain('--to 1s is before --from 2s');
  });

  it('a capture with no packet says so and why', () => {
    const path = join(dir, 'empty.pcap');
    let out = '';
    const files = new Map([['pcap', path], ['pcapng', `${path}ng`]] as const);
    const result = { pcap: new PcapWriter().bytes(), pcapng: new PcapngWriter().bytes() } as unknown as ScenarioResult;
    writeReports({ files, request: {} }, result, (text) => void (out += text));
    expect(out).toBe(
      `wrote ${path}: no packets captured: no packet left a host in this run (a packet refused at its host, for want of a route or with its host down, is not captured)\n` +
        `wrote ${path}ng: no packets captured: no packet left a host in this run (a packet refused at its host, for want of a route or with its host down, is not captured)\n`,
    );
  });

  it('replay and shrink write the files of the run they make', async () => {
    const findings = join(dir, 'findings');
    await cli(['fuzz', 'inspect-abort-race', '--runs', '12', '--strategy', 'random', '--out', findings, '--no-shrink']);
    const [name] = artifactsIn(findings);
    const artifact = join(findings, name as string);
    const mermaid = join(dir, 'replay.mmd');
    const replay = await cli(['replay', artifact, '--mermaid', mermaid, '--last', '10', '--pcapng', join(dir, 'replay.pcapng')]);
    expect(replay.out).toContain('reproduced: trace hash');
    expect(replay.out).toContain(`wrote ${mermaid}: a Mermaid sequence diagram of 10 entries`);
    expect(readFileSync(mermaid, 'utf8')).toContain('VIOLATION POOL-USE-AFTER-FREE');
    const json = join(dir, 'shrunk.jsonl');
    const shrink = await cli(['shrink', artifact, '--out', join(dir, 'shrunk'), '--trace-json', json]);
    expect(shrink.code).toBe(0);
    expect(shrink.out).toMatch(new RegExp(`wrote ${json}: \\d+ trace records as JSON lines`));
    expect(readFileSync(json, 'utf8')).toContain('"type":"nt.violation"');
  });
});
