/**
 * The abort/decision race at one virtual instant (issue 6;
 * docs/model.md#inspect-pend-complete-abort, #pitfalls-and-races, pitfall 1;
 * docs/design.md#determinism-contract on same-instant events, #exploration on `exhaustive`): a
 * request pended at 5 ms meets, at exactly 30.005 s, the pend lifetime's expiry, the client's RST
 * and the work item that calls WskInspectComplete(accept) (queued by a timer's DPC set for that
 * instant). With the same-instant choice on, the `exhaustive` strategy
 * (src/explore/strategies/exhaustive.ts) runs every order the queue can take at that instant, and every one of them ends in exactly one of delivery or WskAbortEvent, never both,
 * never neither. A second world drops the RST and has a linux client still retrying its SYN, so the
 * order decides the outcome: expiry first aborts, the decision first delivers.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../src/explore/campaign.ts';
import { defineScenario } from '../../src/explore/scenario.ts';
import type { Simulation } from '../../src/simulation.ts';
import type { EventLogEntry } from '../../src/sim/index.ts';
import { NO_OPTIONS, TcpSegment } from '../../src/tcp/payload.ts';
import { RST, SYN } from '../../src/tcp/segment.ts';
import {
  AF_INET,
  DelayedWorkQueue,
  IPPROTO_TCP,
  IRP,
  KDPC,
  KTIMER,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_CONDITIONAL_ACCEPT,
  STATUS_SUCCESS,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_INSPECT_ID,
  WskInspectAccept,
  WskInspectPend,
  WskInspectReject,
  WskSetOption,
  sockaddr,
  type Kernel,
  type PWSK_SOCKET,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from '../../src/wsk/index.ts';
import { driver } from './support.ts';

/** What the server saw: 'abort', 'delivered' (a queued WskAccept completed with a socket). */
interface Seen {
  readonly outcomes: string[];
}

const L = (Socket: PWSK_SOCKET) => Socket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;

/** The server driver: pends the request; a timer's DPC queues the work item that decides. */
function server(sim: Simulation, seen: Seen): void {
  sim.tcp('server');
  const d = driver(sim, 'server', { pendingCompletions: 0 });
  const k: Kernel = d.k;
  const Timer = new KTIMER();
  const Dpc = new KDPC();
  const WorkItem = k.IoAllocateWorkItem(null);
  let Listen: PWSK_SOCKET | null = null;
  let Pended: WSK_INSPECT_ID | null = null;
  const Decide = (): void => {
    const Socket = Listen as PWSK_SOCKET;
    L(Socket).WskInspectComplete(Socket, Pended as WSK_INSPECT_ID, WskInspectAccept, d.irp('complete'));
  };
  k.KeInitializeTimer(Timer);
  k.KeInitializeDpc(Dpc, () => k.IoQueueWorkItem(WorkItem!, Decide, DelayedWorkQueue, null), null);
  const Dispatch = {
    WskAcceptEvent: null,
    WskInspectEvent: (_c: unknown, _l: unknown, _r: unknown, InspectID: WSK_INSPECT_ID | null) => {
      // Only the first request races; a linux client's later SYNs are new requests: rejected.
      if (InspectID === null || Pended !== null) return WskInspectReject;
      Pended = { ...InspectID };
      k.KeSetTimer(Timer, { QuadPart: -30_000 * 10_000 }, Dpc); // due at 5 ms + 30 s
      return WskInspectPend;
    },
    WskAbortEvent: () => {
      seen.outcomes.push('abort');
      return STATUS_SUCCESS;
    },
  };
  const Irp = d.irp('socket');
  d.Dispatch.WskSocket(
    d.Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null, Dispatch,
    null, null, null, Irp,
  );
  const Socket = Irp.IoStatus.Information as PWSK_SOCKET;
  Listen = Socket;
  const on = d.irp('option');
  L(Socket).WskControlSocket(Socket, WskSetOption, SO_CONDITIONAL_ACCEPT, SOL_SOCKET, 4, { value: 1 }, 0, null, null, on);
  L(Socket).WskBind(Socket, sockaddr('0.0.0.0:80'), 0, d.irp('bind'));
  const accept: IRP = d.irp('accept');
  L(Socket).WskAccept(Socket, 0, null, null, null, null, accept);
  sim.at('60s', 'tally and unload', () => {
    const delivered = d.calls.has(accept) && accept.IoStatus.Status === STATUS_SUCCESS;
    if (delivered) seen.outcomes.push('delivered');
    const sockets = [Socket, ...(delivered ? [accept.IoStatus.Information as PWSK_SOCKET] : [])];
    k.IoFreeWorkItem(WorkItem!);
    d.unload(sockets);
  });
}

/** The events of the three contenders at 30.005 s, by their labels in the event log. */
const CONTENDERS: Readonly<Record<string, string>> = {
  'tcp timer': 'expiry', // the server stack's timer: the pend lifetime
  'link client→server': 'rst', // the client's RST arriving
  'thread server/work-item start': 'decision', // the work item calling WskInspectComplete
};

/** The order the contenders ran in. */
function orderOf(log: readonly EventLogEntry[]): string[] {
  return log.filter((e) => e.at === 30_005_000_000 && CONTENDERS[e.label] !== undefined)
    .map((e) => CONTENDERS[e.label] as string);
}

function raceScenario(withRst: boolean, seen: () => Seen) {
  return defineScenario({
    name: withRst ? 'inspect-race-rst' : 'inspect-race-no-rst',
    description: 'inspect-race.test.ts: expiry, RST and decision at one instant',
    build: (sim) => {
      const s = seen();
      sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
      const client = sim.addHost({ name: 'client', ipv4: '10.0.0.1' });
      sim.addLink('client', 'server', { latency: '5ms' });
      server(sim, s);
      if (withRst) {
        const segment = (flags: number, seq: number) =>
          new TcpSegment('10.0.0.1', '10.0.0.2', 40000, 80, seq, 0, flags, 64240, flags === SYN ? { mss: 1460 } : NO_OPTIONS, new Uint8Array(0), 100, 0);
        client.send('10.0.0.1', '10.0.0.2', 44, segment(SYN, 100));
        sim.at('30s', 'client rst', () => client.send('10.0.0.1', '10.0.0.2', 40, segment(RST, 101)));
      } else {
        const stack = sim.tcp('client', { profile: 'linux' });
        stack.connect({ remote: { address: '10.0.0.2', port: 80 } }, {});
      }
      return s;
    },
    settle: '1s',
  });
}

async function everyOrder(withRst: boolean) {
  let current: Seen = { outcomes: [] };
  const scenario = raceScenario(withRst, () => (current = { outcomes: [] }));
  const runs: { outcomes: string[]; order: string[]; status: string }[] = [];
  const campaign = await runCampaign(scenario, {
    strategy: 'exhaustive',
    params: { vary: ['same-instant 30.005000s'] },
    seed: 1,
    runs: 500,
    run: { logEvents: true },
    onRun: (result) => {
      runs.push({ outcomes: current.outcomes, order: orderOf(result.eventLog ?? []), status: result.status });
    },
  });
  return { report: campaign.report, runs };
}

describe('conditional accept: the race at one instant (every order)', () => {
  it('expiry, client RST and the work item’s WskInspectComplete: exactly one of delivery or abort, in every order', async () => {
    const { report, runs } = await everyOrder(true);
    // Four events at the instant (the lifetime timer, the RST, the KTIMER whose DPC queues the
    // work item, the work item's start), the work item after its timer: 4!/2 = 12 orders.
    expect(report[0]).toBe('complete: 12 of 12 leaves');
    expect(runs.length).toBe(12);
    const orders = new Set(runs.map((r) => r.order.join(' ')));
    // All six orders of the three contenders are among the runs.
    expect([...orders].filter((o) => o.split(' ').length === 3).sort()).toEqual([
      'decision expiry rst', 'decision rst expiry', 'expiry decision rst', 'expiry rst decision',
      'rst decision expiry', 'rst expiry decision',
    ]);
    for (const run of runs) {
      expect(run.outcomes, run.order.join(' ')).toEqual(['abort']);
      expect(run.status).toBe('passed');
    }
  });

  it('expiry and the decision alone (a linux client still retrying): the order decides, one outcome each time', async () => {
    const { report, runs } = await everyOrder(false);
    // The lifetime timer, the KTIMER and the work item's start (after its timer): 3!/2 = 3.
    expect(report[0]).toBe('complete: 3 of 3 leaves');
    expect(runs.length).toBe(3);
    const byOrder = new Map<string, Set<string>>();
    for (const run of runs) {
      expect(run.outcomes, run.order.join(' ')).toHaveLength(1);
      expect(run.status).toBe('passed');
      const first = run.order[0] as string;
      byOrder.set(first, (byOrder.get(first) ?? new Set()).add(run.outcomes[0] as string));
    }
    expect(Object.fromEntries([...byOrder].map(([k, v]) => [k, [...v]]))).toEqual({
      expiry: ['abort'],
      decision: ['delivered'],
    });
  });
});
