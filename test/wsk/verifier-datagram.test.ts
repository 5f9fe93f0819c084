/**
 * The verifier's datagram-socket rules (WSK-DATAGRAM-*, src/wsk/rules.ts), one case each as in
 * verifier-wsk.test.ts: a minimal driver that breaks the rule, on the line marked
 * `// breaks RULE-ID` (the reported site), and its correct twin, which reports nothing. The
 * callback-return rule is checked after the callback returned, from the event loop: no site. Last,
 * the rules covered here must be the catalogue's WSK-DATAGRAM-* rules (verifier-wsk.test.ts leaves
 * them to this file), and a retained list still held at the end of a run is outstanding.
 */
import { describe, expect, it } from 'vitest';
import {
  RULES,
  STATUS_DATA_NOT_ACCEPTED,
  STATUS_INVALID_PARAMETER,
  STATUS_PENDING,
  STATUS_SUCCESS,
  sockaddr,
  type WSK_DATAGRAM_INDICATION,
} from '../../src/wsk/index.ts';
import { world, type World } from './support.ts';
import {
  D,
  datagramSocket,
  enableReceiveFrom,
  receiveFrom,
  sendTo,
  text,
} from './datagram-support.ts';
import { markers } from '../support/markers.ts';

const { file: FILE, lineOf } = markers(import.meta.url);

interface Case {
  readonly rule: string;
  readonly breaks: (w: World) => void | Promise<void>;
  readonly twin: (w: World) => void | Promise<void>;
  /** 'none': checked from the event loop after a callback returned (no driver frame). */
  readonly reportedAt?: 'none';
}

/** A server socket on :7 whose WskReceiveFromEvent keeps every list (STATUS_PENDING). */
async function retaining(w: World) {
  const kept: WSK_DATAGRAM_INDICATION[] = [];
  const Server = datagramSocket(w.server, '0.0.0.0:7', {
    WskReceiveFromEvent: (_c, _f, Indication) => {
      if (Indication !== null) kept.push(Indication);
      return STATUS_PENDING;
    },
  });
  expect(enableReceiveFrom(Server)).toBe(STATUS_SUCCESS);
  sendTo(w.client, datagramSocket(w.client, '0.0.0.0:0'), '10.0.0.2:7', 'kept');
  await w.sim.run({ until: '100ms' });
  expect(kept).toHaveLength(1);
  return { Server, Indication: kept[0] as WSK_DATAGRAM_INDICATION };
}

function buffer(w: World, s: string) {
  const bytes = text(s);
  const Mdl = w.client.k.IoAllocateMdl(bytes, bytes.length, false, false, null);
  return { Mdl, Offset: 0, Length: bytes.length };
}

const CASES: readonly Case[] = [
  {
    rule: 'WSK-DATAGRAM-UNBOUND',
    breaks: (w) => {
      const Socket = datagramSocket(w.client, null);
      const Remote = sockaddr('10.0.0.2:7');
      D(Socket).WskSendTo(Socket, buffer(w, 'x'), 0, Remote, 0, null, w.client.irp('s')); // breaks WSK-DATAGRAM-UNBOUND
    },
    twin: (w) => {
      const Socket = datagramSocket(w.client, '0.0.0.0:0');
      const Remote = sockaddr('10.0.0.2:7');
      D(Socket).WskSendTo(Socket, buffer(w, 'x'), 0, Remote, 0, null, w.client.irp('s'));
    },
  },
  {
    rule: 'WSK-DATAGRAM-NO-ADDRESS',
    breaks: (w) => {
      const Socket = datagramSocket(w.client, '0.0.0.0:0');
      D(Socket).WskSendTo(Socket, buffer(w, 'x'), 0, null, 0, null, w.client.irp('s')); // breaks WSK-DATAGRAM-NO-ADDRESS
    },
    twin: (w) => {
      const Socket = datagramSocket(w.client, '0.0.0.0:0');
      const Remote = sockaddr('10.0.0.2:7');
      D(Socket).WskSendTo(Socket, buffer(w, 'x'), 0, Remote, 0, null, w.client.irp('s'));
    },
  },
  {
    rule: 'WSK-DATAGRAM-RELEASE-NOT-RETAINED',
    breaks: async (w) => {
      const { Server, Indication } = await retaining(w);
      expect(D(Server).WskRelease(Server, Indication)).toBe(STATUS_SUCCESS);
      D(Server).WskRelease(Server, Indication); // breaks WSK-DATAGRAM-RELEASE-NOT-RETAINED
    },
    twin: async (w) => {
      const { Server, Indication } = await retaining(w);
      expect(D(Server).WskRelease(Server, Indication)).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-DATAGRAM-INDICATION-NOT-RELEASED',
    breaks: async (w) => {
      const { Server } = await retaining(w);
      D(Server).WskCloseSocket(Server, w.server.irp('close')); // breaks WSK-DATAGRAM-INDICATION-NOT-RELEASED
    },
    twin: async (w) => {
      const { Server, Indication } = await retaining(w);
      D(Server).WskRelease(Server, Indication);
      D(Server).WskCloseSocket(Server, w.server.irp('close'));
    },
  },
  {
    rule: 'WSK-DATAGRAM-RECEIVE-EVENT-RETURN',
    breaks: async (w) => {
      const Server = datagramSocket(w.server, '0.0.0.0:7', {
        WskReceiveFromEvent: () => {
          return STATUS_INVALID_PARAMETER; // breaks WSK-DATAGRAM-RECEIVE-EVENT-RETURN
        },
      });
      enableReceiveFrom(Server);
      sendTo(w.client, datagramSocket(w.client, '0.0.0.0:0'), '10.0.0.2:7', 'x');
      await w.sim.run({ until: '100ms' });
    },
    reportedAt: 'none',
    twin: async (w) => {
      const Server = datagramSocket(w.server, '0.0.0.0:7', {
        WskReceiveFromEvent: () => STATUS_DATA_NOT_ACCEPTED,
      });
      enableReceiveFrom(Server);
      sendTo(w.client, datagramSocket(w.client, '0.0.0.0:0'), '10.0.0.2:7', 'x');
      await w.sim.run({ until: '100ms' });
      expect(receiveFrom(w.server, Server, 8).got()).toBe('x');
    },
  },
];

type Reported = readonly [rule: string, site: string | undefined];
const reported = (w: World, channel: 'violations' | 'advisories'): Reported[] =>
  [w.server, w.client].flatMap((d) => d.k[channel].map((r) => [r.rule, r.site] as const));

describe('verifier: datagram rules', () => {
  for (const c of CASES) {
    const channel = RULES.get(c.rule)?.channel;

    it(`${c.rule}: the breaking driver is reported at its line`, async () => {
      expect(channel).toBeDefined();
      const w = world();
      await c.breaks(w);
      const site = c.reportedAt === 'none' ? undefined : `${FILE}:${lineOf(c.rule)}`;
      if (channel === 'violation') {
        expect(reported(w, 'violations')).toEqual([[c.rule, site]]);
        expect(w.sim.core.failure?.details?.rule).toBe(c.rule);
      } else {
        expect(reported(w, 'violations')).toEqual([]);
        expect(reported(w, 'advisories')).toEqual([[c.rule, site]]);
      }
    });

    it(`${c.rule}: the correct twin reports nothing`, async () => {
      const w = world();
      await c.twin(w);
      expect(reported(w, 'violations')).toEqual([]);
      expect(reported(w, 'advisories')).toEqual([]);
      expect(w.sim.core.failure).toBeNull();
    });
  }

  it('covers every WSK-DATAGRAM-* rule of the catalogue, each marked once', () => {
    const wanted = [...RULES.keys()].filter((id) => id.startsWith('WSK-DATAGRAM-'));
    expect(CASES.map((c) => c.rule).sort()).toEqual(wanted.sort());
    for (const c of CASES) expect(() => lineOf(c.rule)).not.toThrow();
  });
});

describe('verifier: a retained datagram list at the end of a run', () => {
  it('is left outstanding under WSK-DATAGRAM-INDICATION-NOT-RELEASED; released, nothing is', async () => {
    for (const release of [false, true]) {
      const w = world();
      const { Server, Indication } = await retaining(w);
      if (release) D(Server).WskRelease(Server, Indication);
      const left = w.sim.outstanding().filter((o) => o.rule.startsWith('WSK-DATAGRAM-'));
      expect(left.map((o) => [o.host, o.rule, o.detail])).toEqual(
        release
          ? []
          : [[
              'server',
              'WSK-DATAGRAM-INDICATION-NOT-RELEASED',
              'socket #1: 1 retained datagram indication list(s) not released; retained since ' +
                '0.005000s',
            ]],
      );
    }
  });
});
