import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario } from '../../src/explore/scenario.ts';
import { readPcap } from '../../src/report/index.ts';
import { NO_OPTIONS, TcpSegment } from '../../src/tcp/payload.ts';
import { ACK, SYN, type Segment } from '../../src/tcp/segment.ts';
import { decodeSegment } from '../../src/tcp/wire.ts';
import { expectCleanDecode, itWithTshark, writeTempPcap } from '../support/tshark.ts';

/** A segment built by hand, as the stack builds its own (SYNs carry the windows10 options). */
function segment(source: string, target: string, sourcePort: number, targetPort: number, seq: number, ack: number, flags: number): TcpSegment {
  const options = (flags & SYN) !== 0 ? { mss: 1460, windowScale: 8, sackPermitted: true } : NO_OPTIONS;
  return new TcpSegment(source, target, sourcePort, targetPort, seq, ack, flags, 64240, options, new Uint8Array(0), 0, 0);
}

const handshake = defineScenario({
  name: 'hand-handshake',
  description: 'three segments of a handshake, sent by hand; one of them lost on the way',
  build(sim) {
    const a = sim.addHost({ name: 'a', ipv4: '10.0.0.1' });
    const b = sim.addHost({ name: 'b', ipv4: '10.0.0.2' });
    sim.addLink('a', 'b', { latency: '5ms' });
    sim.addRule((packet) => ((packet.payload as unknown as Segment).flags === ACK ? { action: 'drop', reason: 'test' } : { action: 'pass' }));
    a.schedule(0, 'syn', () => void a.send('10.0.0.1', '10.0.0.2', 52, segment('10.0.0.1', '10.0.0.2', 49152, 80, 1000, 0, SYN)));
    b.schedule(5e6, 'syn-ack', () => void b.send('10.0.0.2', '10.0.0.1', 52, segment('10.0.0.2', '10.0.0.1', 80, 49152, 7000, 1001, SYN | ACK)));
    a.schedule(10e6, 'ack', () => void a.send('10.0.0.1', '10.0.0.2', 40, segment('10.0.0.1', '10.0.0.2', 49152, 80, 1001, 7001, ACK)));
    a.schedule(11e6, 'other', () => void a.send('10.0.0.1', '10.0.0.2', 40, { describe: () => 'not tcp' }));
    return {};
  },
});

describe('report: pcap capture of a run', () => {
  it('captures each TCP segment as it leaves its host, at its virtual time, lost ones included', async () => {
    const result = await runScenario(handshake, { seed: 1, pcap: true });
    const records = readPcap(result.pcap as Uint8Array).records;
    expect(records.map((r) => r.at)).toEqual([0, 5e6, 10e6, 11e6]);
    const segments = records.slice(0, 3).map((r) => decodeSegment(r.packet));
    expect(segments.map((s) => [s.source, s.sourcePort, s.seq, s.ack, s.flags])).toEqual([
      ['10.0.0.1', 49152, 1000, 0, SYN],
      ['10.0.0.2', 80, 7000, 1001, SYN | ACK],
      ['10.0.0.1', 49152, 1001, 7001, ACK],
    ]);
    expect(segments[0]?.options).toEqual({ mss: 1460, windowScale: 8, sackPermitted: true });
  });

  it('writes a payload that is not a segment as UDP: protocol 17, ports 0, its description as data', async () => {
    const result = await runScenario(handshake, { seed: 1, pcap: true });
    const packet = readPcap(result.pcap as Uint8Array).records[3]?.packet as Uint8Array;
    expect(packet[9]).toBe(17);
    expect([...packet.subarray(20, 24)]).toEqual([0, 0, 0, 0]);
    expect(Buffer.from(packet.subarray(28)).toString('utf8')).toBe('not tcp');
  });

  it('the same seed gives a byte-identical file', async () => {
    const first = await runScenario(handshake, { seed: 3, pcap: true });
    const second = await runScenario(handshake, { seed: 3, pcap: true });
    expect(Buffer.from(second.pcap as Uint8Array).equals(Buffer.from(first.pcap as Uint8Array))).toBe(true);
  });

  itWithTshark('tshark decodes the capture cleanly', async () => {
    const result = await runScenario(handshake, { seed: 1, pcap: true });
    expectCleanDecode(writeTempPcap('hand-handshake.pcap', result.pcap as Uint8Array), 4);
  });
});
