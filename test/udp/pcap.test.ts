/**
 * UDP on the wire (src/report/datagram.ts, icmp.ts; src/udp): a capture of datagrams and of the
 * ICMP port unreachable a closed port answers, over IPv4 and IPv6, decoded by tshark with every
 * checksum (IP, UDP, ICMP, ICMPv6) verified good, ports and data read back, record times equal to
 * the virtual times the packets left; and the WSK datagram-echo scenario's capture, pcap and pcapng.
 */
import { describe, expect } from 'vitest';
import { PcapCapture } from '../../src/report/index.ts';
import { Simulation } from '../../src/simulation.ts';
import { loadScenario } from '../../src/cli/load.ts';
import { runScenario } from '../../src/explore/scenario.ts';
import {
  CHECKSUM_GOOD,
  expectCleanDecode,
  itWithTshark,
  runTshark,
  writeTempPcap,
} from '../support/tshark.ts';

const MS = 1e6;

function fields(path: string, names: readonly string[]): string[][] {
  const output = runTshark(path, [
    '-n', '-o', 'udp.check_checksum:TRUE',
    '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f',
    ...names.flatMap((name) => ['-e', name]),
  ]);
  return output.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
}

const hex = (s: string) => Buffer.from(s).toString('hex');

describe('UDP captures decoded by tshark', () => {
  itWithTshark('datagrams and ICMP port unreachable, IPv4 and IPv6: clean, checksums good', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.addHost({ name: 'a', ipv4: '10.0.0.1', ipv6: 'fd00::1' });
    sim.addHost({ name: 'b', ipv4: '10.0.0.2', ipv6: 'fd00::2' });
    sim.addLink('a', 'b', { latency: '5ms' });
    const capture = new PcapCapture(sim);
    const b = sim.udp('b');
    b.bind({ address: '0.0.0.0', port: 5300 }, { datagram: () => true });
    b.bind({ address: '::', port: 5300 }, { datagram: () => true });
    const port = sim.udp('a').bind({ address: '0.0.0.0', port: 40000 }, { datagram: () => true });
    const port6 = sim.udp('a').bind({ address: '::', port: 40001 }, { datagram: () => true });
    port.send({ address: '10.0.0.2', port: 5300 }, new TextEncoder().encode('query v4'));
    port6.send({ address: 'fd00::2', port: 5300 }, new TextEncoder().encode('query v6'));
    port.send({ address: '10.0.0.2', port: 9 }, new TextEncoder().encode('closed v4'));
    port6.send({ address: 'fd00::2', port: 9 }, new TextEncoder().encode('closed v6'));
    await sim.run({ until: '1s' });
    const path = writeTempPcap('udp-and-icmp', capture.bytes());
    const packets = expectCleanDecode(path, 6);
    expect(packets.map((p) => [p.at, p.protocols])).toEqual([
      [0, 'raw:ip:udp:data'],
      [0, 'raw:ipv6:udp:data'],
      [0, 'raw:ip:udp:data'],
      [0, 'raw:ipv6:udp:data'],
      [5 * MS, 'raw:ip:icmp:ip:udp'],
      [5 * MS, 'raw:ipv6:icmpv6:ipv6:udp:data'],
    ]);
    expect(packets.slice(0, 4).map((p) => p.udpChecksumStatus)).toEqual(Array(4).fill(
      CHECKSUM_GOOD));
    // An ICMP error quotes the datagram: its UDP header (IPv4: and 64 bits of it, RFC 792).
    expect(fields(path, ['udp.srcport', 'udp.dstport', 'data.data'])).toEqual([
      ['40000', '5300', hex('query v4')],
      ['40001', '5300', hex('query v6')],
      ['40000', '9', hex('closed v4')],
      ['40001', '9', hex('closed v6')],
      ['40000', '9', ''],
      ['40001', '9', hex('closed v6')],
    ]);
    expect(fields(path, ['icmp.type', 'icmp.code', 'icmp.checksum.status']).slice(4, 5))
      .toEqual([['3', '3', '1']]);
    expect(fields(path, ['icmpv6.type', 'icmpv6.code', 'icmpv6.checksum.status']).slice(5))
      .toEqual([['1', '4', '1']]);
  });

  itWithTshark('the datagram-echo scenario: pcap and pcapng decode clean, UDP only', async () => {
    const scenario = await loadScenario('datagram-echo');
    const result = await runScenario(scenario, { seed: 1, pcap: true, pcapng: true });
    expect(result.status).toBe('passed');
    for (const [name, bytes] of [['echo.pcap', result.pcap], ['echo.pcapng', result.pcapng]]) {
      const packets = expectCleanDecode(writeTempPcap(name as string, bytes as Uint8Array));
      expect(packets.length).toBeGreaterThan(16);
      expect(new Set(packets.map((p) => p.protocols))).toEqual(new Set(['raw:ip:udp:echo']));
      expect(new Set(packets.map((p) => p.udpChecksumStatus))).toEqual(new Set([CHECKSUM_GOOD]));
    }
  });
});
