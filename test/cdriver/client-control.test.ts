/**
 * WskControlClient's codes beyond WSK_SET_STATIC_EVENT_CALLBACKS for C drivers
 * (src/cdriver/client-control.ts; README "Testing your C driver"): the transport list in C memory,
 * WSK_TDI_BEHAVIOR, WSK_TRANSPORT_LIST_CHANGE's IRP pending until cancelled, and the model's
 * answers to what it lacks. The driver is test/fixtures/c/client-control.c.
 */
import { describe, expect, it } from 'vitest';
import { Simulation, type CDriver } from '../../src/index.ts';
import { fixtureDriver, requireToolchain } from '../support/c-toolchain.ts';

describe('cdriver: WskControlClient', () => {
  it('transport list query, TDI behaviour, list change, and the codes the model answers alone', async (context) => {
    requireToolchain(context);
    const sim = new Simulation({ seed: 1, keepTrace: true });
    sim.addHost({ name: 'server', ipv4: '10.0.0.2', ipv6: 'fd00::2' });
    const notes: string[] = [];
    const Note = (d: CDriver, what: number, value: number): void =>
      void notes.push(`${d.cString(what)} ${value >>> 0}`);
    sim.loadDriver('server', fixtureDriver('client-control', ['ControlEntry']), {
      entry: 'ControlEntry',
      name: 'client-control.wasm',
      hooks: { Note },
    });
    const outcome = await sim.run({ until: '1s' });
    expect(outcome.failure).toBeUndefined();
    const transport = (type: number, protocol: number, family: number): string[] => [
      'version 0', `socket type ${type}`, `protocol ${protocol}`, `family ${family}`,
    ];
    expect(notes).toEqual([
      'size probe 2147483653', // STATUS_BUFFER_OVERFLOW
      'size needed 112', // four WSK_TRANSPORTs of 28 bytes
      'one entry\'s room 2147483653',
      'query 0',
      'returned 112',
      ...transport(1, 6, 2), // SOCK_STREAM, IPPROTO_TCP, AF_INET
      ...transport(1, 6, 23),
      ...transport(2, 17, 2), // SOCK_DGRAM, IPPROTO_UDP
      ...transport(2, 17, 23),
      'provider id is the model\'s (all zero) 1',
      'TDI bypass 0',
      'TDI bad flag 3221225485', // STATUS_INVALID_PARAMETER
      'device name mapping 3221225659', // STATUS_NOT_SUPPORTED
      'query with an IRP 3221225485',
      'change 259', // STATUS_PENDING
      'cancel 1',
      'change completed 3221225760', // STATUS_CANCELLED
    ]);
    const advisories = sim.kernel('server').advisories.map((a) => a.rule);
    expect(advisories).toEqual(['WSK-CONTROL-CLIENT-INPUT', 'WSK-CONTROL-CLIENT-INPUT']);
    expect(sim.kernel('server').violations).toEqual([]);
  });
});
