/**
 * Datagram sockets (src/wsk/datagram-socket.ts, docs/model.md#datagram-sockets): WskSendTo and
 * WskReceiveFrom across two hosts with their times and bytes, WskReceiveFromEvent's list and its
 * three answers, WskRelease, truncation, WskSendMessages, WskGetLocalAddress, the UDP port space
 * apart from TCP's, the socket options that apply, close, and determinism.
 */
import { describe, expect, it } from 'vitest';
import {
  AF_INET6,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  MSG_TRUNC,
  SOL_SOCKET,
  SO_REUSEADDR,
  STATUS_ADDRESS_ALREADY_EXISTS,
  STATUS_BUFFER_OVERFLOW,
  STATUS_CANCELLED,
  STATUS_DATA_NOT_ACCEPTED,
  STATUS_INVALID_BUFFER_SIZE,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_PENDING,
  STATUS_SUCCESS,
  WskGetOption,
  WskSetOption,
  sockaddr,
  sockaddrText,
  type SOCKADDR,
  type WSK_DATAGRAM_INDICATION,
} from '../../src/wsk/index.ts';
import { bind, listenSocket, world } from './support.ts';
import {
  D,
  datagramSocket,
  enableReceiveFrom,
  receiveFrom,
  sendTo,
  str,
  text,
} from './datagram-support.ts';

/** The datagrams of an indication list: sender and text. */
function listed(head: WSK_DATAGRAM_INDICATION | null): string[] {
  const out: string[] = [];
  for (let item = head; item !== null; item = item.Next) {
    const bytes = item.Buffer.Mdl!.bytes.subarray(item.Buffer.Offset, item.Buffer.Length);
    out.push(`${sockaddrText(item.RemoteAddress)} ${str(bytes)}`);
  }
  return out;
}

describe('datagram sockets: WskSendTo and WskReceiveFrom', () => {
  it('a datagram reaches a pending WskReceiveFrom after the link latency, sender and bytes', async () => {
    const w = world();
    const Server = datagramSocket(w.server, '0.0.0.0:53');
    const Client = datagramSocket(w.client, '0.0.0.0:0');
    const r = receiveFrom(w.server, Server, 64);
    expect(r.status).toBe(STATUS_PENDING);
    const s = sendTo(w.client, Client, '10.0.0.2:53', 'query');
    expect(s.status).toBe(STATUS_SUCCESS);
    expect(s.Irp.IoStatus.Information).toBe(5);
    await w.sim.run({ until: '1s' });
    expect(w.server.log).toContain('recv STATUS_SUCCESS @5');
    expect(r.got()).toBe('query');
    expect(sockaddrText(r.Remote)).toBe('10.0.0.1:49152');
    expect([r.ControlLength.value, r.ControlFlags.value]).toEqual([0, 0]);
  });

  it('a datagram waiting completes WskReceiveFrom at once; datagrams keep their boundaries', async () => {
    const w = world();
    const Server = datagramSocket(w.server, '0.0.0.0:7');
    const Client = datagramSocket(w.client, '0.0.0.0:4000');
    sendTo(w.client, Client, '10.0.0.2:7', 'one');
    sendTo(w.client, Client, '10.0.0.2:7', 'two');
    await w.sim.run({ until: '1s' });
    const a = receiveFrom(w.server, Server, 64, 'a');
    const b = receiveFrom(w.server, Server, 64, 'b');
    expect([a.status, b.status]).toEqual([STATUS_SUCCESS, STATUS_SUCCESS]);
    expect([a.got(), b.got()]).toEqual(['one', 'two']);
  });

  it('a datagram longer than the buffer: its first bytes, STATUS_BUFFER_OVERFLOW, MSG_TRUNC', async () => {
    const w = world();
    const Server = datagramSocket(w.server, '0.0.0.0:7');
    const Client = datagramSocket(w.client, '0.0.0.0:0');
    const r = receiveFrom(w.server, Server, 4);
    sendTo(w.client, Client, '10.0.0.2:7', 'truncated');
    await w.sim.run({ until: '1s' });
    expect(r.Irp.IoStatus.Status).toBe(STATUS_BUFFER_OVERFLOW);
    expect(r.got()).toBe('trun');
    expect(r.ControlFlags.value).toBe(MSG_TRUNC);
  });

  it('unbound: WskSendTo and WskReceiveFrom fail STATUS_INVALID_DEVICE_STATE with an advisory', () => {
    const w = world();
    const Socket = datagramSocket(w.client, null);
    expect(sendTo(w.client, Socket, '10.0.0.2:7', 'x').status).toBe(STATUS_INVALID_DEVICE_STATE);
    expect(receiveFrom(w.client, Socket, 8).status).toBe(STATUS_INVALID_DEVICE_STATE);
    expect(w.client.k.advisories.map((a) => a.rule)).toEqual([
      'WSK-DATAGRAM-UNBOUND',
      'WSK-DATAGRAM-UNBOUND',
    ]);
  });

  it('data above the largest IPv4 datagram (65 507 bytes) → STATUS_INVALID_BUFFER_SIZE', () => {
    const w = world();
    const Socket = datagramSocket(w.client, '0.0.0.0:0');
    const big = new Uint8Array(65508);
    const Mdl = w.client.k.IoAllocateMdl(big, big.length, false, false, null);
    const Irp = w.client.irp('big');
    const Buffer = { Mdl, Offset: 0, Length: big.length };
    expect(D(Socket).WskSendTo(Socket, Buffer, 0, sockaddr('10.0.0.2:7'), 0, null, Irp)).toBe(
      STATUS_INVALID_BUFFER_SIZE,
    );
    const fits = { Mdl, Offset: 0, Length: 65507 };
    expect(D(Socket).WskSendTo(Socket, fits, 0, sockaddr('10.0.0.2:7'), 0, null,
      w.client.irp('fits'))).toBe(STATUS_SUCCESS);
  });

  it('WskSendMessages sends each WSK_BUF_LIST element as one datagram', async () => {
    const w = world();
    const Server = datagramSocket(w.server, '0.0.0.0:7');
    const Client = datagramSocket(w.client, '0.0.0.0:0');
    const buf = (s: string) => {
      const bytes = text(s);
      return { Mdl: w.client.k.IoAllocateMdl(bytes, bytes.length, false, false, null),
        Offset: 0, Length: bytes.length };
    };
    const List = { Next: { Next: null, Buffer: buf('beta') }, Buffer: buf('alpha') };
    const Irp = w.client.irp('messages');
    expect(D(Client).WskSendMessages(Client, List, 0, sockaddr('10.0.0.2:7'), 0, null, Irp))
      .toBe(STATUS_SUCCESS);
    expect(Irp.IoStatus.Information).toBe(9);
    await w.sim.run({ until: '1s' });
    expect([receiveFrom(w.server, Server, 16).got(), receiveFrom(w.server, Server, 16).got()])
      .toEqual(['alpha', 'beta']);
  });

  it('WskCloseSocket cancels a pending WskReceiveFrom and gives the UDP port back', async () => {
    const w = world();
    const Server = datagramSocket(w.server, '0.0.0.0:7');
    const r = receiveFrom(w.server, Server, 8);
    D(Server).WskCloseSocket(Server, w.server.irp('close'));
    expect(r.Irp.IoStatus.Status).toBe(STATUS_CANCELLED);
    expect(w.sim.udp('server').boundPorts).toBe(0);
    const Again = datagramSocket(w.server, '0.0.0.0:7');
    expect(Again.state.bound?.port).toBe(7);
  });

  it('IPv6, and a dual-stack socket (IPV6_V6ONLY 0) hears IPv4 as ::ffff:a.b.c.d', async () => {
    const w = world();
    const Six = datagramSocket(w.server, null, null, AF_INET6);
    const off = { value: 0 };
    expect(D(Six).WskControlSocket(Six, WskSetOption, IPV6_V6ONLY, IPPROTO_IPV6, 4, off, 0,
      null, null, null)).toBe(STATUS_SUCCESS);
    D(Six).WskBind(Six, sockaddr('[::]:7'), 0, w.server.irp('bind'));
    const r = receiveFrom(w.server, Six, 8);
    const V6 = datagramSocket(w.client, '[::]:0', null, AF_INET6);
    const V4 = datagramSocket(w.client, '0.0.0.0:5000');
    sendTo(w.client, V4, '10.0.0.2:7', 'four');
    await w.sim.run({ until: '1s' });
    expect(r.got()).toBe('four');
    expect(sockaddrText(r.Remote as SOCKADDR)).toBe('[::ffff:10.0.0.1]:5000');
    const r6 = receiveFrom(w.server, Six, 8, 'r6');
    sendTo(w.client, V6, '[fd00::2]:7', 'six');
    await w.sim.run({ until: '2s' });
    expect(r6.got()).toBe('six');
    expect(sockaddrText(r6.Remote)).toBe('[fd00::1]:49152');
  });
});

describe('datagram sockets: ports, options, local address', () => {
  it("UDP's ports are apart from TCP's; two datagram sockets on one port conflict", () => {
    const w = world();
    const Listen = listenSocket(w.server);
    expect(bind(w.server, Listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    const Udp = datagramSocket(w.server, '0.0.0.0:80');
    expect(Udp.state.bound?.port).toBe(80);
    const Second = datagramSocket(w.server, null);
    const Irp = w.server.irp('bind2');
    D(Second).WskBind(Second, sockaddr('0.0.0.0:80'), 0, Irp);
    expect(Irp.IoStatus.Status).toBe(STATUS_ADDRESS_ALREADY_EXISTS);
  });

  it('SO_REUSEADDR applies to datagram sockets; WskGetLocalAddress reports the bind', () => {
    const w = world();
    const Socket = datagramSocket(w.server, null);
    const on = { value: 1 };
    expect(D(Socket).WskControlSocket(Socket, WskSetOption, SO_REUSEADDR, SOL_SOCKET, 4, on, 0,
      null, null, w.server.irp('opt'))).toBe(STATUS_SUCCESS);
    const got = { value: -1 };
    expect(D(Socket).WskControlSocket(Socket, WskGetOption, SO_REUSEADDR, SOL_SOCKET, 0, null, 4,
      got, null, w.server.irp('get'))).toBe(STATUS_SUCCESS);
    expect(got.value).toBe(1);
    D(Socket).WskBind(Socket, sockaddr('0.0.0.0:0'), 0, w.server.irp('bind'));
    const Local = sockaddr('0.0.0.0:0');
    expect(D(Socket).WskGetLocalAddress(Socket, Local, w.server.irp('local'))).toBe(
      STATUS_SUCCESS,
    );
    expect(sockaddrText(Local)).toBe('0.0.0.0:49152');
  });
});

describe('datagram sockets: WskReceiveFromEvent and WskRelease', () => {
  it('indicates datagrams as a list; STATUS_SUCCESS consumes them', async () => {
    const w = world();
    const seen: string[][] = [];
    const Server = datagramSocket(w.server, '0.0.0.0:7', {
      WskReceiveFromEvent: (_c, _f, Indication) => {
        seen.push(listed(Indication));
        return STATUS_SUCCESS;
      },
    });
    expect(enableReceiveFrom(Server)).toBe(STATUS_SUCCESS);
    const Client = datagramSocket(w.client, '0.0.0.0:4000');
    sendTo(w.client, Client, '10.0.0.2:7', 'a');
    await w.sim.run({ until: '1s' });
    sendTo(w.client, Client, '10.0.0.2:7', 'b');
    await w.sim.run({ until: '2s' });
    expect(seen).toEqual([['10.0.0.1:4000 a'], ['10.0.0.1:4000 b']]);
    expect(receiveFrom(w.server, Server, 8).status).toBe(STATUS_PENDING);
  });

  it('datagrams waiting at the enable are indicated together on a zero-delay event', async () => {
    const w = world();
    const seen: string[][] = [];
    const Server = datagramSocket(w.server, '0.0.0.0:7', {
      WskReceiveFromEvent: (_c, _f, Indication) => {
        seen.push(listed(Indication));
        return STATUS_SUCCESS;
      },
    });
    const Client = datagramSocket(w.client, '0.0.0.0:4000');
    sendTo(w.client, Client, '10.0.0.2:7', 'a');
    sendTo(w.client, Client, '10.0.0.2:7', 'b');
    await w.sim.run({ until: '1s' });
    expect(enableReceiveFrom(Server)).toBe(STATUS_SUCCESS);
    expect(seen).toEqual([]);
    await w.sim.run({ until: '1s' });
    expect(seen).toEqual([['10.0.0.1:4000 a', '10.0.0.1:4000 b']]);
  });

  it('STATUS_PENDING retains the list until WskRelease; its MDLs are freed then', async () => {
    const w = world();
    const kept: WSK_DATAGRAM_INDICATION[] = [];
    const Server = datagramSocket(w.server, '0.0.0.0:7', {
      WskReceiveFromEvent: (_c, _f, Indication) => {
        if (Indication !== null) kept.push(Indication);
        return STATUS_PENDING;
      },
    });
    enableReceiveFrom(Server);
    sendTo(w.client, datagramSocket(w.client, '0.0.0.0:0'), '10.0.0.2:7', 'held');
    await w.sim.run({ until: '1s' });
    const Indication = kept[0] as WSK_DATAGRAM_INDICATION;
    expect(Indication.Buffer.Mdl?.freed).toBe(false);
    expect(w.server.k.wsk.sockets.retainedDatagramIndications()).toMatchObject([{ count: 1 }]);
    expect(D(Server).WskRelease(Server, Indication)).toBe(STATUS_SUCCESS);
    expect(Indication.Buffer.Mdl?.freed).toBe(true);
    expect(w.server.k.violations).toEqual([]);
  });

  it('STATUS_DATA_NOT_ACCEPTED leaves the datagram to WskReceiveFrom and pauses indications', async () => {
    const w = world();
    let calls = 0;
    const Server = datagramSocket(w.server, '0.0.0.0:7', {
      WskReceiveFromEvent: () => {
        calls++;
        return STATUS_DATA_NOT_ACCEPTED;
      },
    });
    enableReceiveFrom(Server);
    const Client = datagramSocket(w.client, '0.0.0.0:0');
    sendTo(w.client, Client, '10.0.0.2:7', 'first');
    await w.sim.run({ until: '1s' });
    sendTo(w.client, Client, '10.0.0.2:7', 'second');
    await w.sim.run({ until: '2s' });
    expect(calls).toBe(1);
    expect(receiveFrom(w.server, Server, 16).got()).toBe('first');
    sendTo(w.client, Client, '10.0.0.2:7', 'third');
    await w.sim.run({ until: '3s' });
    expect(calls).toBe(2);
  });

  it('is deterministic: one seed, one trace hash', async () => {
    const hashes: string[] = [];
    for (let i = 0; i < 2; i++) {
      const w = world({ seed: 11 });
      const Server = datagramSocket(w.server, '0.0.0.0:7');
      const Client = datagramSocket(w.client, '0.0.0.0:0');
      for (let n = 0; n < 4; n++) sendTo(w.client, Client, '10.0.0.2:7', `d${n}`);
      receiveFrom(w.server, Server, 8);
      await w.sim.run({ until: '1s' });
      hashes.push(w.sim.traceHash());
    }
    expect(hashes[0]).toBe(hashes[1]);
  });
});
