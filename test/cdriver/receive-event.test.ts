/**
 * WskReceiveEvent and WskRelease across the bridge, and the routines beside them (src/cdriver:
 * indications.ts, client-tables.ts, mdl-imports.ts, slist-imports.ts; README "Testing your C
 * driver"). The drivers are test/fixtures/c/receive-event.c, one entry per behaviour: the SLIST
 * routines besides push and flush, the MDL readers, and a receiver whose WskReceiveEvent takes,
 * keeps (STATUS_PENDING, then WskRelease), refuses (STATUS_DATA_NOT_ACCEPTED) and partly takes
 * (BytesAccepted) what a C sender sends; a keeper that keeps every list, gives back all but one
 * and closes, against a sender that resets the connection. Where a list's C memory is, the
 * bridge's heap says: a block while it is the driver's, freed once WSK has it again. And the
 * members the model does not have, undeclared (test/fixtures/c/not-modelled.c).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDriver } from '../../src/cli/build-driver.ts';
import { Simulation, type CDriver, type RunOutcome } from '../../src/index.ts';
import { fixtureDriver, fixtureSource, requireToolchain } from '../support/c-toolchain.ts';

const EXPORTS = [
  'SListMoreEntry', 'MdlReadEntry', 'ReceiverEntry', 'SenderEntry', 'KeeperEntry', 'AborterEntry',
];

interface Loaded {
  readonly sim: Simulation;
  readonly notes: string[];
  readonly outcome: RunOutcome;
}

/** Runs `entries` (host name → entry) of the fixture, each on its own host. */
async function run(entries: Record<string, string>, seed = 1): Promise<Loaded> {
  const sim = new Simulation({ seed, keepTrace: true });
  const hosts: Record<string, string> = { server: '10.0.0.2', client: '10.0.0.11' };
  const notes: string[] = [];
  sim.addSwitch('lan');
  for (const host of Object.keys(entries)) {
    sim.addHost({ name: host, ipv4: hosts[host] as string });
    sim.addLink(host, 'lan', { latency: '1ms' });
    sim.tcp(host);
    sim.kernel(host);
  }
  for (const [host, entry] of Object.entries(entries)) {
    const Note = (d: CDriver, what: number, value: number): void =>
      void notes.push(`${host} ${d.cString(what)} ${value >>> 0}`);
    // What the bridge's heap has at a C address now: a list's block, or nothing (freed).
    const Block = (d: CDriver, what: number, address: number): void =>
      void notes.push(`${host} ${d.cString(what)}: ${d.heap.kindAt(address) ?? 'freed'}`);
    sim.loadDriver(host, fixtureDriver('receive-event', EXPORTS), {
      entry,
      name: 'receive-event.wasm',
      hooks: { Note, Block },
    });
  }
  const outcome = await sim.run({ until: '10s' });
  return { sim, notes, outcome };
}

const rules = (sim: Simulation, host: string): string[] =>
  sim.kernel(host).violations.map((v) => (v as { rule: string }).rule);

const STATUS_INVALID_PARAMETER = 0xc000000d;
const code = (text: string): number => text.charCodeAt(0);

describe('cdriver: the other SLIST routines', () => {
  it('pop, ExInterlockedPush/Pop/FlushSList and ExQueryDepthSList keep the C header in step', async (context) => {
    requireToolchain(context);
    const { sim, notes } = await run({ server: 'SListMoreEntry' });
    expect(notes).toEqual([
      'server pop of an empty list 1',
      'server Ex push returned the previous first 1',
      'server depth 3',
      'server C header depth 3',
      'server pop takes the newest 3',
      'server depth after pop 2',
      "server C header's first after pop 2",
      'server Ex pop 2',
      'server Ex flush 1',
      'server depth after flush 0',
      'server push after pop 1',
      'server Ex pop of the last 3',
      'server Ex pop of an empty list 1',
    ]);
    expect(rules(sim, 'server')).toEqual([]);
  });
});

describe('cdriver: MmGetSystemAddressForMdlSafe, MmGetMdlByteCount', () => {
  it("return the C MDL's buffer and length; on a freed MDL NULL and MDL-USE-AFTER-FREE", async (context) => {
    requireToolchain(context);
    const { sim, notes } = await run({ server: 'MdlReadEntry' });
    expect(notes).toEqual([
      'server system address is the buffer 1',
      'server byte count 40',
      'server after IoFreeMdl 1',
    ]);
    expect(rules(sim, 'server')).toEqual(['MDL-USE-AFTER-FREE']);
  });
});

/** The server's notes for one indication of `bytes` bytes whose first byte is `first`. */
const indication = (bytes: number, first: string): string[] => [
  `server indicated ${bytes}`,
  `server walked ${bytes}`,
  `server first byte ${code(first)}`,
  "server one MDL's byte count covers the buffer 1",
  'server at DISPATCH_LEVEL 1',
];

describe('cdriver: WskReceiveEvent and WskRelease', () => {
  it('takes, keeps, refuses and partly takes indications walked in C memory; WskRelease gives the kept list back', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await run({ server: 'ReceiverEntry', client: 'SenderEntry' });
    expect(notes.filter((n) => n.startsWith('server'))).toEqual([
      'server accept 0',
      'server events on 0',
      ...indication(5, 'f'), // "first": taken
      ...indication(6, 's'), // "second": kept
      'server first list once its callback returned: freed',
      'server kept list: object',
      'server kept list walked 6',
      `server kept list first byte ${code('s')}`,
      'server WskRelease 0',
      'server kept list after WskRelease: freed',
      ...indication(6, 't'), // "third!": refused
      'server receive after refusing 0',
      'server received 6',
      `server received first byte ${code('t')}`,
      ...indication(6, 'f'), // "fourth": 2 bytes taken
      'server receive after 2 bytes 0',
      'server received 4',
      `server received first byte ${code('u')}`,
      ...indication(5, 'f'), // "fifth": taken
      'server disconnect event 8', // graceful, WSK_FLAG_AT_DISPATCH_LEVEL
      'server indications 5',
      `server WskRelease again ${STATUS_INVALID_PARAMETER}`,
      'server returned MDL 1',
    ]);
    // The client's WskDisconnect completes when its FIN is acknowledged: after the server's
    // violation has ended the run.
    expect(notes.filter((n) => n.startsWith('client'))).toEqual(['client connect 0']);
    // The misuse at the end, in one event: the verifier's, in order, and the run fails on it.
    expect(rules(sim, 'server')).toEqual(['WSK-RELEASE-NOT-RETAINED', 'MDL-USE-AFTER-FREE']);
    expect(rules(sim, 'client')).toEqual([]);
    expect(outcome.failure?.message).toMatch(/^WSK-RELEASE-NOT-RETAINED/);
    // The trace: each callback's answer and each call on the connection, as the model saw them.
    const seen = sim
      .records()
      .map((r) => r as { type: string; host?: string; callback?: string; call?: string })
      .filter((r) => r.host === 'server' && (r.type === 'wsk.callback' || r.type === 'wsk.call'))
      .map((r) => `${r.callback ?? r.call} ${(r as { status?: string }).status}`)
      .filter((text) => /^Wsk(ReceiveEvent|Release|Receive|DisconnectEvent) /.test(text));
    expect(seen).toEqual([
      'WskReceiveEvent STATUS_SUCCESS',
      'WskReceiveEvent STATUS_PENDING',
      'WskRelease STATUS_SUCCESS',
      'WskReceiveEvent STATUS_DATA_NOT_ACCEPTED',
      'WskReceive STATUS_PENDING',
      'WskReceiveEvent STATUS_SUCCESS',
      'WskReceive STATUS_PENDING',
      'WskReceiveEvent STATUS_SUCCESS',
      'WskDisconnectEvent STATUS_SUCCESS',
      'WskRelease STATUS_INVALID_PARAMETER',
    ]);
  });

  it('keeps every list, then the NULL indication at the reset; a list not given back at the close is the verifier\'s', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await run({ server: 'KeeperEntry', client: 'AborterEntry' });
    expect(notes.filter((n) => n.startsWith('server'))).toEqual([
      'server accept 0',
      'server events on 0',
      ...indication(3, 'o'),
      ...indication(3, 't'),
      'server disconnect event 9', // WSK_FLAG_ABORTIVE | WSK_FLAG_AT_DISPATCH_LEVEL
      'server the connection died 0', // the NULL indication
      'server kept lists 2',
      'server WskRelease 0',
      'server given back: freed',
      'server the last list at the close: object',
      // The close's violation ends the run before the close completes.
    ]);
    expect(notes.filter((n) => n.startsWith('client'))).toEqual(['client abort 0']);
    expect(rules(sim, 'server')).toEqual(['WSK-INDICATION-NOT-RELEASED']);
    expect(outcome.failure?.message).toMatch(/^WSK-INDICATION-NOT-RELEASED/);
  });

  it('runs to the same trace hash twice on seeds 1–3, receiver and keeper', async (context) => {
    requireToolchain(context);
    const pairs = [
      { server: 'ReceiverEntry', client: 'SenderEntry' },
      { server: 'KeeperEntry', client: 'AborterEntry' },
    ];
    for (const entries of pairs) {
      for (const seed of [1, 2, 3]) {
        const first = await run(entries, seed);
        const second = await run(entries, seed);
        const what = `${entries.server} seed ${seed}`;
        expect(second.sim.traceHash(), what).toBe(first.sim.traceHash());
        expect(first.outcome.failure?.kind, what).toBe('violation');
        expect(second.outcome.failure?.message).toBe(first.outcome.failure?.message);
        expect(second.notes).toEqual(first.notes);
      }
    }
  });
});

describe('cdriver: WskConnectEx, WskSendEx and WskReceiveEx, which the model does not have', () => {
  it('are not declared: a driver that calls one does not build, one error a member', (context) => {
    requireToolchain(context);
    const output = join(mkdtempSync(join(tmpdir(), 'wsksim-not-modelled-')), 'driver.wasm');
    let message = '';
    try {
      buildDriver({ sources: [fixtureSource('not-modelled')], output });
    } catch (error) {
      message = String((error as Error).message);
    }
    const errors = message.split('\n').filter((line) => line.includes(' error: '));
    expect(errors.map((line) => line.replace(/^.*error: /, ''))).toEqual([
      "no member named 'WskConnectEx' in 'struct _WSK_PROVIDER_CONNECTION_DISPATCH'",
      "no member named 'WskSendEx' in 'struct _WSK_PROVIDER_CONNECTION_DISPATCH'",
      "no member named 'WskReceiveEx' in 'struct _WSK_PROVIDER_CONNECTION_DISPATCH'",
    ]);
    expect(existsSync(output)).toBe(false);
  });
});
