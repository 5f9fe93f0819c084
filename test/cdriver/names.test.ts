/**
 * Name resolution for C drivers (src/cdriver/name-imports.ts; README "Testing your C driver"):
 * WskGetAddressInfo's ADDRINFOEXW list in C memory, WskFreeAddressInfo, WskGetNameInfo into the
 * driver's UNICODE_STRING buffers. The driver is test/fixtures/c/names.c, on host 'client'; the
 * names are the simulation's (host 'server' is 10.0.0.2 and fd00::2).
 */
import { describe, expect, it } from 'vitest';
import { Simulation, type CDriver, type RunOutcome } from '../../src/index.ts';
import { fixtureDriver, requireToolchain } from '../support/c-toolchain.ts';

interface Loaded {
  readonly sim: Simulation;
  readonly notes: string[];
  readonly outcome: RunOutcome;
}

async function run(entry: string): Promise<Loaded> {
  const sim = new Simulation({ seed: 1, keepTrace: true });
  sim.addHost({ name: 'server', ipv4: '10.0.0.2', ipv6: 'fd00::2' });
  sim.addHost({ name: 'client', ipv4: '10.0.0.11' });
  sim.addLink('client', 'server', { latency: '1ms' });
  const notes: string[] = [];
  sim.loadDriver('client', fixtureDriver('names', ['NamesEntry', 'FreeTwiceEntry']), {
    entry,
    name: 'names.wasm',
    hooks: {
      Note: (d: CDriver, what: number, value: number) =>
        void notes.push(`${d.cString(what)} ${value >>> 0}`),
      Text: (d: CDriver, what: number, text: number, units: number) =>
        void notes.push(`${d.cString(what)} "${d.wideString(text, units).replace(/\0.*$/, '')}"`),
    },
  });
  const outcome = await sim.run({ until: '10s' });
  return { sim, notes, outcome };
}

describe('cdriver: name resolution', () => {
  it('WskGetAddressInfo, WskFreeAddressInfo, WskGetNameInfo: statuses and what C memory holds', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await run('NamesEntry');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual([
      'returned 259', // STATUS_PENDING: the resolver's latency
      'resolve server 0',
      'result set before the completion routine ran 1',
      'family 2', 'socket type 2', 'protocol 17', 'address length 16', 'port 80',
      'IPv4 last byte 2', 'canonical name "server"',
      'family 23', 'socket type 2', 'protocol 17', 'address length 28', 'port 80',
      'IPv6 last byte 2', 'no canonical name 1',
      'entries 2',
      'returned 259',
      'resolve nowhere 3221226021', // STATUS_NOT_FOUND
      'no list 1',
      'returned 259',
      'name of 10.0.0.2:7 0',
      'node length 12',
      'node "server"',
      'service length 2',
      'service "7"',
      'returned 259',
      'numeric 0',
      'numeric node "10.0.0.2"',
      'returned 259',
      'too small 0',
      'cut length 6',
      'cut "ser"',
    ]);
    expect(sim.kernel('client').violations).toEqual([]);
    const calls = sim
      .records()
      .map((r) => r as { type: string; call?: string; status?: string })
      .filter((r) => r.type === 'wsk.call' && /Name|Address/.test(r.call ?? ''))
      .map((r) => `${r.call} ${r.status}`);
    expect(calls).toEqual([
      'WskGetAddressInfo STATUS_PENDING',
      'WskFreeAddressInfo undefined',
      'WskGetAddressInfo STATUS_PENDING',
      'WskGetNameInfo STATUS_PENDING',
      'WskGetNameInfo STATUS_PENDING',
      'WskGetNameInfo STATUS_PENDING',
    ]);
  });

  it('a list freed twice is the verifier\'s ADDRINFO-FREE-INVALID', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await run('FreeTwiceEntry');
    expect(notes.slice(0, 3)).toEqual(['returned 259', 'resolve 0', 'freed once 1']);
    const rules = sim.kernel('client').violations.map((v) => (v as { rule: string }).rule);
    expect(rules).toEqual(['ADDRINFO-FREE-INVALID']);
    expect(outcome.failure?.message).toMatch(
      /^ADDRINFO-FREE-INVALID: WskFreeAddressInfo of a list it freed already/,
    );
  });
});
