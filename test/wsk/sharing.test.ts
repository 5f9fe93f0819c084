import { describe, expect, it } from 'vitest';
import { WSK_CACHED_SECURITY_DESCRIPTOR } from '../../src/wsk/client.ts';
import {
  SOL_SOCKET,
  SO_REUSEADDR,
  STATUS_ADDRESS_ALREADY_EXISTS,
  STATUS_PENDING,
  STATUS_SUCCESS,
  WSK_FLAG_STREAM_SOCKET,
  WSK_SOCKET,
  WskSetOption,
  sockaddr,
  type PWSK_SOCKET,
  type WSK_PROVIDER_STREAM_DISPATCH,
} from '../../src/wsk/index.ts';
import {
  PsInitialSystemProcess,
  SECURITY_DESCRIPTOR,
  bindVerdict,
  ipv4OfMapped,
  shareVerdict,
  type Binding,
  type ShareMode,
  type ShareVerdict,
} from '../../src/wsk/sharing.ts';
import {
  bind,
  connectionSocket,
  listenSocket,
  socketConnect,
  socketOf,
  world,
  type Driver,
} from './support.ts';

// An independent literal copy of docs/model.md#address-sharing (rows: second bind; columns: first
// bind).
const KINDS = [
  'none, wildcard',
  'none, specific',
  'REUSEADDR, wildcard',
  'REUSEADDR, specific',
  'EXCLUSIVE, wildcard',
  'EXCLUSIVE, specific',
] as const;
type Kind = (typeof KINDS)[number];

const TABLE: Record<Kind, readonly string[]> = {
  'none, wildcard': ['INUSE', 'SUCCESS', 'INUSE', 'SUCCESS', 'INUSE', 'SUCCESS'],
  'none, specific': ['CHECK', 'INUSE', 'CHECK', 'DENIED', 'DENIED', 'INUSE'],
  'REUSEADDR, wildcard': ['DENIED', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'DENIED', 'SUCCESS'],
  'REUSEADDR, specific': ['CHECK', 'DENIED', 'SUCCESS', 'SUCCESS', 'DENIED', 'DENIED'],
  'EXCLUSIVE, wildcard': ['INUSE', 'INUSE', 'INUSE', 'INUSE', 'INUSE', 'INUSE'],
  'EXCLUSIVE, specific': ['CHECK', 'INUSE', 'CHECK', 'INUSE', 'DENIED', 'INUSE'],
};

const MODE_OF: Record<string, ShareMode> = {
  none: 'none',
  REUSEADDR: 'reuse',
  EXCLUSIVE: 'exclusive',
};

const VERDICT_OF: Record<string, ShareVerdict> = {
  SUCCESS: 'success',
  INUSE: 'in-use',
  DENIED: 'denied',
};

const FIRST_OWNER = { name: 'first process' };
const SECOND_OWNER = { name: 'second process' };

function binding(overrides: Partial<Binding>): Binding {
  return {
    family: 'ipv4',
    address: '10.0.0.1',
    port: 80,
    mode: 'none',
    dualStack: false,
    securityDescriptor: null,
    owner: FIRST_OWNER,
    ...overrides,
  };
}

const ADDRESSES = {
  ipv4: { wildcard: '0.0.0.0', specific: '10.0.0.1' },
  ipv6: { wildcard: '::', specific: 'fd00::1' },
} as const;

/** A binding of the given table kind; both specific kinds use the same specific address. */
function ofKind(family: 'ipv4' | 'ipv6', kind: Kind, extra: Partial<Binding>): Binding {
  const [option, addressKind] = kind.split(', ') as [string, 'wildcard' | 'specific'];
  const mode = MODE_OF[option];
  if (mode === undefined) throw new Error(`bad kind ${kind}`);
  return binding({ family, address: ADDRESSES[family][addressKind], mode, ...extra });
}

const CELLS = KINDS.flatMap((second) =>
  KINDS.map((first, column) => ({ second, first, cell: TABLE[second][column] as string })),
);

describe.each(['ipv4', 'ipv6'] as const)('wsk: the address sharing table (%s)', (family) => {
  it('has 36 cells', () => {
    expect(CELLS).toHaveLength(36);
  });

  it.each(CELLS)('second ($second) after first ($first) → $cell', ({ second, first, cell }) => {
    const everyone = new SECURITY_DESCRIPTOR('Everyone');
    const firstDefault = ofKind(family, first, { owner: FIRST_OWNER });
    const firstSharing = ofKind(family, first, {
      owner: FIRST_OWNER,
      securityDescriptor: everyone,
    });
    const secondBinding = ofKind(family, second, { owner: SECOND_OWNER });
    if (cell === 'CHECK') {
      // The access check decides: the default descriptor denies, 'Everyone' grants.
      expect(shareVerdict(firstDefault, secondBinding)).toBe('denied');
      expect(shareVerdict(firstSharing, secondBinding)).toBe('success');
    } else {
      // A descriptor changes nothing outside the CHECK cells.
      const expected = VERDICT_OF[cell];
      expect(expected).toBeDefined();
      expect(shareVerdict(firstDefault, secondBinding)).toBe(expected);
      expect(shareVerdict(firstSharing, secondBinding)).toBe(expected);
    }
  });
});

describe('wsk: sharing CHECK cells (none/specific after none/wildcard)', () => {
  const second = binding({ address: '10.0.0.1', mode: 'none', owner: SECOND_OWNER });
  const first = (securityDescriptor: object | null): Binding =>
    binding({ address: '0.0.0.0', mode: 'none', owner: FIRST_OWNER, securityDescriptor });

  it('NULL security descriptor (the default) → denied', () => {
    expect(shareVerdict(first(null), second)).toBe('denied');
  });

  it("SECURITY_DESCRIPTOR('Everyone') → success", () => {
    expect(shareVerdict(first(new SECURITY_DESCRIPTOR('Everyone')), second)).toBe('success');
  });

  it("a list holding the second socket's owner → success", () => {
    const sd = new SECURITY_DESCRIPTOR([FIRST_OWNER, SECOND_OWNER]);
    expect(shareVerdict(first(sd), second)).toBe('success');
  });

  it("a list without the second socket's owner → denied", () => {
    const sd = new SECURITY_DESCRIPTOR([FIRST_OWNER, { name: 'second process' }]);
    expect(shareVerdict(first(sd), second)).toBe('denied');
  });

  it('an empty list → denied', () => {
    expect(shareVerdict(first(new SECURITY_DESCRIPTOR([])), second)).toBe('denied');
  });

  it('a descriptor object that is not a SECURITY_DESCRIPTOR grants nothing → denied', () => {
    expect(shareVerdict(first({ SharingAllowedTo: 'Everyone' }), second)).toBe('denied');
  });

  it('a WSK_CACHED_SECURITY_DESCRIPTOR is unwrapped (granting → success, else denied)', () => {
    const granting = new WSK_CACHED_SECURITY_DESCRIPTOR(new SECURITY_DESCRIPTOR('Everyone'));
    const others = new WSK_CACHED_SECURITY_DESCRIPTOR(new SECURITY_DESCRIPTOR([FIRST_OWNER]));
    expect(shareVerdict(first(granting), second)).toBe('success');
    expect(shareVerdict(first(others), second)).toBe('denied');
  });

  it('the System process (a NULL OwningProcess, normalized) is matched when listed', () => {
    const kernelSecond = binding({ ...second, owner: PsInitialSystemProcess });
    const sd = new SECURITY_DESCRIPTOR([PsInitialSystemProcess]);
    expect(shareVerdict(first(sd), kernelSecond)).toBe('success');
    expect(shareVerdict(first(sd), second)).toBe('denied');
  });

  it('the descriptor keeps a copy of its list (later edits to the array do not grant)', () => {
    const list: unknown[] = [FIRST_OWNER];
    const sd = new SECURITY_DESCRIPTOR(list);
    list.push(SECOND_OWNER);
    expect(shareVerdict(first(sd), second)).toBe('denied');
    expect(Object.isFrozen(sd.SharingAllowedTo)).toBe(true);
  });

  it('PsInitialSystemProcess is the frozen System identity', () => {
    expect(PsInitialSystemProcess).toEqual({ name: 'System' });
    expect(Object.isFrozen(PsInitialSystemProcess)).toBe(true);
  });
});

describe('wsk: sharing, bindings that do not overlap', () => {
  it('different ports → success (EXCLUSIVE wildcard after none wildcard)', () => {
    const first = binding({ address: '0.0.0.0', port: 80 });
    const second = binding({ address: '0.0.0.0', port: 81, mode: 'exclusive' });
    expect(shareVerdict(first, second)).toBe('success');
    expect(shareVerdict(first, { ...second, port: 80 })).toBe('in-use');
  });

  it('two different specific addresses → success, even EXCLUSIVE after EXCLUSIVE', () => {
    const first = binding({ address: '10.0.0.1', mode: 'exclusive' });
    const second = binding({ address: '10.0.0.2', mode: 'exclusive' });
    expect(shareVerdict(first, second)).toBe('success');
    expect(shareVerdict(first, { ...second, address: '10.0.0.1' })).toBe('in-use');
  });

  it('two different specific IPv6 addresses → success (none after none)', () => {
    const first = binding({ family: 'ipv6', address: 'fd00::1' });
    const second = binding({ family: 'ipv6', address: 'fd00::2' });
    expect(shareVerdict(first, second)).toBe('success');
  });

  it('IPv4 wildcard and IPv6-only wildcard → success both ways', () => {
    const ipv4 = binding({ address: '0.0.0.0', mode: 'exclusive' });
    const ipv6 = binding({ family: 'ipv6', address: '::', mode: 'exclusive' });
    expect(shareVerdict(ipv4, ipv6)).toBe('success');
    expect(shareVerdict(ipv6, ipv4)).toBe('success');
  });

  it('a wildcard covers a specific address of its own family only', () => {
    const ipv6Wildcard = binding({ family: 'ipv6', address: '::', mode: 'none' });
    expect(shareVerdict(ipv6Wildcard, binding({ address: '10.0.0.1' }))).toBe('success');
    const ipv6Specific = binding({ family: 'ipv6', address: 'fd00::1', owner: SECOND_OWNER });
    expect(shareVerdict(ipv6Wildcard, ipv6Specific)).toBe('denied');
  });
});

describe('wsk: sharing, dual-stack sockets', () => {
  const dualWildcard = binding({ family: 'ipv6', address: '::', dualStack: true });
  const v6onlyWildcard = binding({ family: 'ipv6', address: '::', dualStack: false });
  const ipv4Wildcard = binding({ address: '0.0.0.0' });

  it("dual-stack '::' first, then IPv4 '0.0.0.0' (no option) → in-use", () => {
    expect(shareVerdict(dualWildcard, ipv4Wildcard)).toBe('in-use');
  });

  it("IPv4 '0.0.0.0' first, then dual-stack '::' (no option) → in-use", () => {
    expect(shareVerdict(ipv4Wildcard, dualWildcard)).toBe('in-use');
  });

  it("IPv6-only '::' and IPv4 '0.0.0.0' → success both ways", () => {
    expect(shareVerdict(v6onlyWildcard, ipv4Wildcard)).toBe('success');
    expect(shareVerdict(ipv4Wildcard, v6onlyWildcard)).toBe('success');
  });

  it("dual-stack '::' first, then a specific IPv4 address → the CHECK cell (denied)", () => {
    const specific = binding({ address: '10.0.0.1', owner: SECOND_OWNER });
    expect(shareVerdict(dualWildcard, specific)).toBe('denied');
    const sharing = { ...dualWildcard, securityDescriptor: new SECURITY_DESCRIPTOR('Everyone') };
    expect(shareVerdict(sharing, specific)).toBe('success');
  });

  it("a dual-stack mapped '::ffff:10.0.0.1' overlaps IPv4 10.0.0.1 → in-use both ways", () => {
    const mapped = binding({ family: 'ipv6', address: '::ffff:10.0.0.1', dualStack: true });
    const ipv4 = binding({ address: '10.0.0.1' });
    expect(shareVerdict(mapped, ipv4)).toBe('in-use');
    expect(shareVerdict(ipv4, mapped)).toBe('in-use');
  });

  it('a dual-stack mapped address does not overlap another IPv4 address', () => {
    const mapped = binding({ family: 'ipv6', address: '::ffff:10.0.0.1', dualStack: true });
    expect(shareVerdict(mapped, binding({ address: '10.0.0.2' }))).toBe('success');
  });

  it('a mapped address on an IPv6-only socket does not meet IPv4', () => {
    const mapped = binding({ family: 'ipv6', address: '::ffff:10.0.0.1', dualStack: false });
    expect(shareVerdict(mapped, binding({ address: '10.0.0.1' }))).toBe('success');
  });

  it('dual-stack specific IPv6 address stays IPv6 (no IPv4 overlap)', () => {
    const specific = binding({ family: 'ipv6', address: 'fd00::1', dualStack: true });
    expect(shareVerdict(specific, ipv4Wildcard)).toBe('success');
    expect(shareVerdict(ipv4Wildcard, specific)).toBe('success');
  });

  it("two dual-stack '::' sockets meet (no option → in-use)", () => {
    expect(shareVerdict(dualWildcard, dualWildcard)).toBe('in-use');
  });
});

describe('wsk: ipv4OfMapped', () => {
  it.each([
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::FFFF:10.0.0.1', '10.0.0.1'],
    ['::ffff:0.0.0.0', '0.0.0.0'],
    ['::ffff:255.255.255.255', '255.255.255.255'],
    ['::ffff:256.0.0.1', null],
    ['::ffff:010.0.0.1', null],
    ['::ffff:a00:1', null],
    ['::10.0.0.1', null],
    ['fd00::1', null],
    ['10.0.0.1', null],
    ['::', null],
  ])('%s → %s', (address, expected) => {
    expect(ipv4OfMapped(address)).toBe(expected);
  });
});

describe('wsk: bindVerdict', () => {
  const reuseWildcard = binding({ address: '0.0.0.0', mode: 'reuse' });
  const exclusiveWildcard = binding({ address: '0.0.0.0', mode: 'exclusive' });
  const noneWildcard = binding({ address: '0.0.0.0', mode: 'none' });
  const otherPort = binding({ address: '0.0.0.0', mode: 'exclusive', port: 81 });

  it('no existing bindings → success', () => {
    expect(bindVerdict([], noneWildcard)).toBe('success');
  });

  it('all existing bindings allow sharing → success', () => {
    expect(bindVerdict([otherPort, reuseWildcard], reuseWildcard)).toBe('success');
  });

  it('the first non-success verdict wins (denied before in-use)', () => {
    // A none/specific second: after REUSEADDR/specific → DENIED, after none/specific → INUSE.
    const second = binding({ address: '10.0.0.1', mode: 'none', owner: SECOND_OWNER });
    const denies = binding({ address: '10.0.0.1', mode: 'reuse' });
    const inUse = binding({ address: '10.0.0.1', mode: 'none' });
    expect(bindVerdict([otherPort, denies, inUse], second)).toBe('denied');
    expect(bindVerdict([otherPort, inUse, denies], second)).toBe('in-use');
  });

  it('accepts any iterable (a Set, in insertion order)', () => {
    const second = binding({ address: '0.0.0.0', mode: 'reuse' });
    expect(bindVerdict(new Set([reuseWildcard, exclusiveWildcard]), second)).toBe('denied');
    expect(bindVerdict(new Set([reuseWildcard]), second)).toBe('success');
  });
});

// ---- SO_REUSEADDR sharers once bound, end to end (binding.ts header) -------------------------

function dispatchOf(Socket: PWSK_SOCKET): WSK_PROVIDER_STREAM_DISPATCH {
  return Socket.Dispatch as WSK_PROVIDER_STREAM_DISPATCH;
}

/**
 * A socket of `make` with SO_REUSEADDR set (with an IRP, before bind:
 * docs/model.md#socket-options-and-control).
 */
function reusing(d: Driver, make: (d: Driver) => PWSK_SOCKET): PWSK_SOCKET {
  const Socket = make(d);
  const Irp = d.irp('reuse');
  dispatchOf(Socket).WskControlSocket(
    Socket, WskSetOption, SO_REUSEADDR, SOL_SOCKET, 4, { value: 1 }, 0, null, null, Irp,
  );
  expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
  return Socket;
}

function accept(d: Driver, listen: PWSK_SOCKET, name: string) {
  const Irp = d.irp(name);
  const returned = dispatchOf(listen).WskAccept(listen, 0, null, null, null, null, Irp);
  return { Irp, returned };
}

function connect(d: Driver, Socket: PWSK_SOCKET, remote: string, name: string) {
  const Irp = d.irp(name);
  const returned = dispatchOf(Socket).WskConnect(Socket, sockaddr(remote), 0, Irp);
  return { Irp, returned };
}

describe('wsk: SO_REUSEADDR sharers once bound (binding.ts header)', () => {
  it('connections waiting in an SO_REUSEADDR listener do not block a second SO_REUSEADDR bind', async () => {
    const { sim, server, client } = world();
    const listen = reusing(server, listenSocket);
    expect(bind(server, listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    const peer = socketConnect(client, '0.0.0.0:0', '10.0.0.2:80');
    await sim.run({ until: '100ms' });
    expect(peer.Irp.IoStatus.Status).toBe(STATUS_SUCCESS); // waiting in the listener's queue
    // REUSEADDR/wildcard after REUSEADDR/wildcard: SUCCESS (docs/model.md#address-sharing).
    expect(bind(server, reusing(server, connectionSocket), '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    // none/wildcard after REUSEADDR/wildcard is still INUSE.
    expect(bind(server, connectionSocket(server), '0.0.0.0:80')).toBe(
      STATUS_ADDRESS_ALREADY_EXISTS,
    );
    // The waiting connection is still the listener's to hand out.
    const a = accept(server, listen, 'accept');
    expect(a.returned).toBe(STATUS_SUCCESS);
    expect(a.Irp.IoStatus.Information).toBeInstanceOf(WSK_SOCKET);
  });

  it('an SO_REUSEADDR socket listens on a port another one connects from, and accepts', async () => {
    const { sim, server, client } = world();
    expect(bind(client, listenSocket(client), '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    const out = reusing(server, connectionSocket);
    expect(bind(server, out, '0.0.0.0:5000')).toBe(STATUS_SUCCESS);
    const outgoing = connect(server, out, '10.0.0.1:80', 'connect');
    expect(outgoing.returned).toBe(STATUS_PENDING);
    await sim.run({ until: '100ms' });
    expect(outgoing.Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
    // A listening socket listens once bound; a stream socket after WskListen (docs/model.md#bind,
    // #wsklisten).
    const listen = reusing(server, listenSocket);
    expect(bind(server, listen, '0.0.0.0:5000')).toBe(STATUS_SUCCESS);
    const a = accept(server, listen, 'accept');
    expect(a.returned).toBe(STATUS_PENDING);
    const peer = socketConnect(client, '0.0.0.0:0', '10.0.0.2:5000', 0, 'peer');
    await sim.run({ until: '200ms' });
    expect(peer.Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
    expect(a.Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
    expect(a.Irp.IoStatus.Information).toBeInstanceOf(WSK_SOCKET);

    const stream = reusing(server, (d) => socketOf(d, WSK_FLAG_STREAM_SOCKET));
    expect(bind(server, stream, '0.0.0.0:5000')).toBe(STATUS_SUCCESS);
    const listened = server.irp('listen');
    expect(dispatchOf(stream).WskListen(stream, listened)).toBe(STATUS_SUCCESS);
    expect(server.k.advisories).toEqual([]);
  });

  it('an SO_REUSEADDR socket connects from a port another one listens on; the 4-tuple stays unique', async () => {
    const { sim, server, client } = world();
    expect(bind(client, listenSocket(client), '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    const listen = reusing(server, listenSocket);
    expect(bind(server, listen, '0.0.0.0:5000')).toBe(STATUS_SUCCESS);
    const first = reusing(server, connectionSocket);
    expect(bind(server, first, '0.0.0.0:5000')).toBe(STATUS_SUCCESS);
    const outgoing = connect(server, first, '10.0.0.1:80', 'connect');
    expect(outgoing.returned).toBe(STATUS_PENDING);
    await sim.run({ until: '100ms' });
    expect(outgoing.Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
    // The same 4-tuple again: STATUS_ADDRESS_ALREADY_EXISTS (the stack's 4-tuple rule).
    const twin = reusing(server, connectionSocket);
    expect(bind(server, twin, '0.0.0.0:5000')).toBe(STATUS_SUCCESS);
    expect(connect(server, twin, '10.0.0.1:80', 'twin').returned).toBe(
      STATUS_ADDRESS_ALREADY_EXISTS,
    );
    // The listener still takes connection requests.
    const a = accept(server, listen, 'accept');
    const peer = socketConnect(client, '0.0.0.0:0', '10.0.0.2:5000', 0, 'peer');
    await sim.run({ until: '200ms' });
    expect(peer.Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
    expect(a.Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
  });
});
