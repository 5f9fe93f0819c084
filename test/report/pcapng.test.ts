/**
 * Tests of src/report/pcapng.ts and the pcapng capture of src/report/capture.ts (issue 17, "a
 * fuller capture"): the blocks byte for byte, reading them back, one interface per link end a
 * host sent on, each packet's fate as comments (delivered, dropped and why with the choice,
 * duplicated, reordered), and tshark as the oracle: transfer-under-loss decodes with no
 * malformed packet and its drops shown as frame comments in place.
 */
import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario, type Scenario } from '../../src/explore/scenario.ts';
import {
  PCAPNG_EPB,
  PCAPNG_IDB,
  PCAPNG_SHB,
  PcapngWriter,
  readPcap,
  readPcapng,
} from '../../src/report/index.ts';
import { AssertionError, type TraceRecord } from '../../src/sim/index.ts';
import { packetRecords } from '../../src/topology/records.ts';
import transferUnderLoss from '../../scenarios/transfer-under-loss.ts';
import showcase from '../../scenarios/showcase.ts';
import { expectCleanDecode, itWithTshark, runTshark, writeTempPcap } from '../support/tshark.ts';

function u32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);
}

/** Plain packets between two hosts over one link with the given faults. */
function pings(name: string, link: Record<string, unknown>, count: number, gap = 1e6): Scenario<object> {
  return defineScenario({
    name,
    description: 'plain packets over one link',
    build(sim) {
      const a = sim.addHost({ name: 'a', ipv4: '10.0.0.1' });
      sim.addHost({ name: 'b', ipv4: '10.0.0.2' });
      sim.addLink('a', 'b', { latency: '5ms', ...link });
      for (let i = 0; i < count; i++) {
        a.schedule(i * gap, `ping ${i}`, () => void a.send('10.0.0.1', '10.0.0.2', 64, { describe: () => `ping ${i}` }));
      }
      return {};
    },
  });
}

describe('report: pcapng writer', () => {
  it('section header → type 0a0d0d0a, length 36, byte-order magic, 1.0, length -1, userappl', () => {
    const file = new PcapngWriter().bytes();
    expect(u32(file, 0)).toBe(PCAPNG_SHB);
    expect(u32(file, 4)).toBe(file.length);
    expect(u32(file, 8)).toBe(0x1a2b3c4d);
    expect([...file.subarray(12, 16)]).toEqual([1, 0, 0, 0]);
    expect([...file.subarray(16, 24)]).toEqual(new Array(8).fill(0xff));
    expect(u32(file, file.length - 4)).toBe(file.length);
    expect(readPcapng(file).application).toBe('wsksim');
  });

  it('interfaces and packets read back: name, description, tsresol 9, linktype 101, time, comments', () => {
    const writer = new PcapngWriter();
    expect(writer.addInterface({ name: 'a→b', description: "a's end" })).toBe(0);
    expect(writer.addInterface({ name: 'b→a' })).toBe(1);
    const packet = Uint8Array.of(0x45, 1, 2, 3, 4); // 5 bytes: padded to 8
    writer.addPacket(1, 5_000_000_123, packet, ['dropped: loss', 'ünïcode →']);
    writer.addPacket(0, 2 ** 40 + 7, packet);
    const file = writer.bytes();
    const read = readPcapng(file);
    expect(read.interfaces).toEqual([
      { linktype: 101, name: 'a→b', description: "a's end", tsresol: 9 },
      { linktype: 101, name: 'b→a', description: undefined, tsresol: 9 },
    ]);
    expect(read.packets.map((p) => [p.iface, p.at, [...p.packet], p.originalLength, p.comments])).toEqual([
      [1, 5_000_000_123, [...packet], 5, ['dropped: loss', 'ünïcode →']],
      [0, 2 ** 40 + 7, [...packet], 5, []],
    ]);
    const blockTypes: number[] = [];
    for (let at = 0; at < file.length; at += u32(file, at + 4)) blockTypes.push(u32(file, at));
    expect(blockTypes).toEqual([PCAPNG_SHB, PCAPNG_IDB, PCAPNG_IDB, PCAPNG_EPB, PCAPNG_EPB]);
  });

  it('refuses a packet on an interface not declared, and a negative time', () => {
    const writer = new PcapngWriter();
    expect(() => writer.addPacket(0, 0, new Uint8Array(20))).toThrow(AssertionError);
    writer.addInterface({ name: 'x' });
    expect(() => writer.addPacket(0, -1, new Uint8Array(20))).toThrow(AssertionError);
  });
});

describe('report: pcapng capture of a run', () => {
  it('has the packets of the classic capture, one interface per sending link end', async () => {
    const result = await runScenario(showcase, { seed: 1, pcap: true, pcapng: true });
    const classic = readPcap(result.pcap as Uint8Array).records;
    const next = readPcapng(result.pcapng as Uint8Array);
    expect(next.interfaces.map((i) => i.name)).toEqual(['client→server', 'server→client']);
    expect(next.packets.map((p) => [p.at, [...p.packet]])).toEqual(classic.map((r) => [r.at, [...r.packet]]));
    const names = next.packets.map((p) => next.interfaces[p.iface]?.name);
    const pings = next.packets.filter((p) => Buffer.from(p.packet.subarray(28)).toString().startsWith('ping'));
    expect(pings.length).toBeGreaterThan(0);
    for (const p of pings) expect(names[next.packets.indexOf(p)]).toBe('client→server');
  });

  it('comments each packet with its fate, as the trace records it', async () => {
    const result = await runScenario(showcase, { seed: 1, pcapng: true, keepTrace: true });
    const packets = readPcapng(result.pcapng as Uint8Array).packets;
    const records = packetRecords(result.trace as readonly TraceRecord[]);
    const sent = records.filter((r) => r.phase === 'sent');
    expect(packets).toHaveLength(sent.length);
    packets.forEach((packet, i) => {
      const id = (sent[i] as { id: number }).id;
      const fate = records.find((r) => r.id === id && r.phase !== 'sent');
      if (fate?.phase === 'dropped') {
        expect(packet.comments[0]).toMatch(new RegExp(`^dropped at [0-9.]+s: ${fate.reason}`));
      } else {
        expect(packet.comments[0]).toMatch(/^delivered at [0-9.]+s/);
      }
      expect(packet.comments[0]).toContain(`(net.packet id=${id})`);
    });
    const lost = packets.filter((p) => p.comments[0]?.startsWith('dropped'));
    expect(lost.length).toBeGreaterThan(0);
    expect(lost[0]?.comments[0]).toMatch(/loss, by the choice "link (client→server|server→client) loss"/);
  });

  it('says a duplicated packet was delivered twice, naming the duplicate choice', async () => {
    const result = await runScenario(pings('dup', { duplicate: 1 }, 2), { seed: 1, pcapng: true });
    const packets = readPcapng(result.pcapng as Uint8Array).packets;
    expect(packets).toHaveLength(2);
    for (const packet of packets) {
      expect(packet.comments).toHaveLength(2);
      expect(packet.comments[1]).toMatch(/^duplicated: delivered again at [0-9.]+s, by the choice "link a→b duplicate"$/);
    }
  });

  it('says a packet was reordered, naming the packet that overtook it, as the trace shows', async () => {
    const scenario = pings('reorder', { reorder: 0.5, reorderDelay: '20ms' }, 20);
    const result = await runScenario(scenario, { seed: 2, pcapng: true, keepTrace: true });
    const packets = readPcapng(result.pcapng as Uint8Array).packets;
    const delivered = packetRecords(result.trace as readonly TraceRecord[]).filter((r) => r.phase === 'delivered').map((r) => r.id);
    const reordered = packets.filter((p) => p.comments.some((c) => c.startsWith('reordered')));
    expect(reordered.length).toBeGreaterThan(0);
    for (const packet of reordered) {
      const id = Number(/id=(\d+)\)$/.exec(packet.comments[0] as string)?.[1]);
      const comment = packet.comments.find((c) => c.startsWith('reordered')) as string;
      const by = Number(/after packet id=(\d+)/.exec(comment)?.[1]);
      expect(by).toBeGreaterThan(id);
      expect(delivered.indexOf(by)).toBeLessThan(delivered.indexOf(id));
      expect(comment).toContain('choice "link a→b reorder"');
    }
    // and every packet delivered after a later one says so
    const late = delivered.filter((id, i) => delivered.slice(0, i).some((other) => other > id));
    expect(late.length).toBe(reordered.length);
  });

  it('on a route of several links: the interface is the first link end, the loss not pinned to a link', async () => {
    const scenario = defineScenario({
      name: 'via-switch',
      description: 'a to b through a switch whose far link loses everything',
      build(sim) {
        const a = sim.addHost({ name: 'a', ipv4: '10.0.0.1' });
        sim.addHost({ name: 'b', ipv4: '10.0.0.2' });
        sim.addSwitch('sw');
        sim.addLink('a', 'sw', { latency: '1ms' });
        sim.addLink('sw', 'b', { latency: '1ms', loss: 1 });
        a.schedule(0, 'send', () => void a.send('10.0.0.1', '10.0.0.2', 64, { describe: () => 'hello' }));
        a.schedule(0, 'self', () => void a.send('10.0.0.1', '10.0.0.1', 64, { describe: () => 'me' }));
        return {};
      },
    });
    const file = readPcapng((await runScenario(scenario, { seed: 1, pcapng: true })).pcapng as Uint8Array);
    expect(file.interfaces.map((i) => [i.name, i.description])).toEqual([
      ['a→sw', "a's end of the link a-sw: what a sends on it"],
      ['a loopback', "a's packets to itself"],
    ]);
    expect(file.packets.map((p) => p.comments)).toEqual([
      ['dropped at 0.001000000s: loss, by the "loss" choice of a link on the route a→sw→b (net.packet id=1)'],
      ['delivered at 0.000000000s (net.packet id=2)'],
    ]);
  });

  itWithTshark('tshark reads transfer-under-loss with no malformed packet and shows the drops in place', async () => {
    const result = await runScenario(transferUnderLoss, { seed: 1, pcapng: true, keepTrace: true });
    const path = writeTempPcap('transfer-under-loss.pcapng', result.pcapng as Uint8Array);
    const sent = packetRecords(result.trace as readonly TraceRecord[]).filter((r) => r.phase === 'sent');
    expectCleanDecode(path, sent.length);
    const lines = runTshark(path, ['-T', 'fields', '-E', 'occurrence=f', '-e', 'frame.number', '-e', 'frame.interface_name', '-e', 'tcp.seq_raw', '-e', 'frame.comment'])
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('\t'));
    const dropped = lines.filter((columns) => columns[3]?.startsWith('dropped at '));
    const drops = packetRecords(result.trace as readonly TraceRecord[]).filter((r) => r.phase === 'dropped');
    expect(dropped.length).toBe(drops.length);
    expect(dropped.length).toBeGreaterThan(0);
    for (const columns of dropped) {
      expect(columns[3]).toMatch(/^dropped at [0-9.]+s: loss, by the choice "link (client→server|server→client) loss" \(net\.packet id=\d+\)$/);
      expect(['client→server', 'server→client']).toContain(columns[1]);
    }
    // Frame n of the file is packet n sent: the drop is shown on the very packet that was lost.
    const firstDrop = drops[0] as { id: number };
    const frame = sent.findIndex((r) => r.id === firstDrop.id) + 1;
    expect(dropped[0]?.[0]).toBe(String(frame));
    const verbose = runTshark(path, ['-V', '-Y', `frame.number == ${frame}`]);
    expect(verbose).toContain('Packet comments');
    expect(verbose).toContain(`(net.packet id=${firstDrop.id})`);
  });
});
