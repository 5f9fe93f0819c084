/**
 * Datagram sockets for C drivers (src/cdriver/datagram-imports.ts, datagram-indications.ts; README
 * "Testing your C driver"): WskSendTo, WskSendMessages and WskReceiveFrom over C WSK_BUFs, the
 * sender and ControlFlags written into C memory; WskReceiveFromEvent with its
 * WSK_DATAGRAM_INDICATION list in C memory, retained with STATUS_PENDING and given back with
 * WskRelease. The drivers are test/fixtures/c/datagram.c.
 */
import { describe, expect, it } from 'vitest';
import { Simulation, type CDriver, type RunOutcome } from '../../src/index.ts';
import { fixtureDriver, requireToolchain } from '../support/c-toolchain.ts';

const EXPORTS = ['ServerEntry', 'ReleaseTwiceEntry', 'KeepAfterReturnEntry', 'ClientEntry'];

interface Loaded {
  readonly sim: Simulation;
  readonly notes: string[];
  readonly outcome: RunOutcome;
  readonly hash: string;
}

async function run(server = 'ServerEntry', seed = 1): Promise<Loaded> {
  const sim = new Simulation({ seed, keepTrace: true });
  const notes: string[] = [];
  sim.addSwitch('lan');
  const hosts: [string, string, string][] = [
    ['server', '10.0.0.2', server],
    ['client', '10.0.0.11', 'ClientEntry'],
  ];
  for (const [host, ipv4] of hosts) {
    sim.addHost({ name: host, ipv4 });
    sim.addLink(host, 'lan', { latency: '1ms' });
    sim.kernel(host);
  }
  for (const [host, , entry] of hosts) {
    const Note = (d: CDriver, what: number, value: number): void =>
      void notes.push(`${host} ${d.cString(what)} ${value >>> 0}`);
    sim.loadDriver(host, fixtureDriver('datagram', EXPORTS), {
      entry,
      name: 'datagram.wasm',
      hooks: { Note },
    });
  }
  const outcome = await sim.run({ until: '10s' });
  return { sim, notes, outcome, hash: sim.traceHash() };
}

const rules = (sim: Simulation, host: string): string[] =>
  sim.kernel(host).violations.map((v) => (v as { rule: string }).rule);

const on = (notes: string[], host: string): string[] =>
  notes.filter((n) => n.startsWith(`${host} `)).map((n) => n.slice(host.length + 1));

/** What the server notes of one indicated datagram of `length` bytes from 10.0.0.11:5000. */
const indicated = (length: number, first: string): string[] => [
  "event context is the socket's 1",
  'event flags 0',
  `length ${length}`,
  `MDL byte count ${length}`,
  `first byte ${first.charCodeAt(0)}`,
  'from family 2',
  'from port 5000',
  'from host 11',
  'no control info 1',
  'indicated 1',
];

describe('cdriver: datagram sockets', () => {
  it('WskSendTo, WskSendMessages, WskReceiveFrom: statuses, bytes, the sender and MSG_TRUNC in C memory', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await run();
    expect(outcome.failure).toBeUndefined();
    expect(on(notes, 'client')).toEqual([
      'socket 0',
      'send unbound 3221225860', // STATUS_INVALID_DEVICE_STATE
      'bind 0',
      'send 0',
      'sent 3',
      'receive 0',
      'received 3',
      'echo 1',
      'from port 7',
      'from host 2',
      'control length 0',
      'control flags 0',
      'send messages 0',
      'sent messages 10',
      'small receive 2147483653', // STATUS_BUFFER_OVERFLOW
      'small received 4',
      'truncated flags 256', // MSG_TRUNC
      'receive 0',
      'received 5',
      'close 0',
    ]);
    expect(rules(sim, 'client')).toEqual([]);
    expect(sim.kernel('client').advisories.map((a) => a.rule)).toEqual(['WSK-DATAGRAM-UNBOUND']);
  });

  it('WskReceiveFromEvent: the list in C memory, retained with STATUS_PENDING, given back with WskRelease', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await run();
    expect(outcome.failure).toBeUndefined();
    const server = on(notes, 'server');
    expect(server.slice(0, 5)).toEqual([
      'socket 0', 'bind 0', 'local address 0', 'local port 7', 'enable 0',
    ]);
    // The first list is retained; the second indication reads it still, then releases it.
    expect(server.slice(5, 16)).toEqual([...indicated(3, 'o'), 'echo sent 0']);
    expect(server.slice(16, 28)).toEqual([
      ...indicated(5, 't'),
      'retained list still readable 111',
      'release 0',
    ]);
    expect(server.filter((n) => n === 'indicated 1')).toHaveLength(3);
    expect(server.filter((n) => n === 'echo sent 0')).toHaveLength(3);
    expect(server.at(-1)).toBe('close 0');
    expect(rules(sim, 'server')).toEqual([]);
    const callbacks = sim.records().filter(
      (r) => (r as { callback?: string }).callback === 'WskReceiveFromEvent',
    );
    expect(callbacks.map((r) => (r as { status?: string }).status)).toEqual([
      'STATUS_PENDING', 'STATUS_SUCCESS', 'STATUS_SUCCESS',
    ]);
  });

  it('a retained list released twice is the verifier\'s WSK-DATAGRAM-RELEASE-NOT-RETAINED', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await run('ReleaseTwiceEntry');
    expect(on(notes, 'server')).toContain('release 0');
    expect(on(notes, 'server')).toContain('release again 3221225485'); // STATUS_INVALID_PARAMETER
    expect(rules(sim, 'server')).toEqual(['WSK-DATAGRAM-RELEASE-NOT-RETAINED']);
    expect(outcome.failure?.message).toMatch(/^WSK-DATAGRAM-RELEASE-NOT-RETAINED/);
  });

  it('a list used after the callback returned STATUS_SUCCESS: its MDL is freed, MDL-USE-AFTER-FREE', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await run('KeepAfterReturnEntry');
    // The model answers with the IRP (its STATUS_INVALID_PARAMETER completion is pended); the run
    // stops at the violation.
    expect(on(notes, 'server')).toEqual([
      'socket 0', 'bind 0', 'enable 0', 'indicated 1', 'echo sent 0', 'indicated 1',
      'send from the kept list 259',
    ]);
    expect(rules(sim, 'server')).toEqual(['MDL-USE-AFTER-FREE']);
    expect(outcome.failure?.message).toMatch(
      /^MDL-USE-AFTER-FREE: WskSendTo with a WSK_BUF over a freed MDL/,
    );
  });

  it('the same seed gives the same trace hash', async (context) => {
    requireToolchain(context);
    const [a, b] = [await run('ServerEntry', 3), await run('ServerEntry', 3)];
    expect(a.hash).toBe(b.hash);
  });
});
