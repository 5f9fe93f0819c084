/**
 * A WSK kernel's invariants between events, checked by tests after every event
 * (docs/design.md#assertions): the NT kernel's (nt/invariants.ts), given every IRP the provider
 * holds, and the provider's own books. The checks only read: a run is the same with them or
 * without.
 *
 * - IRP holders: an open socket's queued WskAccepts, its pending connect (WskConnect's or
 *   WskSocketConnect's), its data path's sends, receives and graceful disconnect; a
 *   registration's WSK_TRANSPORT_LIST_CHANGE IRPs; a deferred completion's event (the kernel's
 *   and the data path's, IRP.completionDue). A disable or a close waiting for a callback holds
 *   its IRP only while the callback runs, inside one event, so between events no socket is
 *   busy (socket-events.ts). The inspection model holds none: WskInspectComplete completes its
 *   IRP at the call, inline or by a deferred completion.
 * - Sockets: the open list's slots match their indexes and hold no closed socket; no call on a
 *   socket is running; each open socket's client is still registered.
 * - Bind table (binding.ts): every holder is an open socket bound to that port and holding it,
 *   listed once; every open bound socket that holds its port is listed.
 * - Registrations: registered or deregistering; a deregistering one still waits for something
 *   (the last capture, IRP or socket to go finishes it).
 * - Inspections: only open, live conditional listening sockets keep them; a pended one is of
 *   the socket's current listener.
 */
import { IrpHolders, checkNtInvariants, type IRP } from '../nt/index.ts';
import { assert } from '../sim/index.ts';
import type { Registration } from './client.ts';
import type { Kernel } from './kernel.ts';
import type { SocketState } from './socket-state.ts';

/** Throws AssertionError when `k`'s kernel or WSK provider books disagree. */
export function checkWskInvariants(k: Kernel): void {
  const holders = new IrpHolders(k.host);
  const registered = checkRegistrations(k, holders);
  const open = k.wsk.sockets.openStates();
  open.forEach((state, slot) => checkSocket(k.host, state, slot, registered, holders));
  const busy = k.wsk.sockets.busySockets();
  assert(busy === 0, `host ${k.host}: ${busy} socket(s) busy with a callback between events`);
  checkBindings(k, open);
  // A datagram socket's pending WskReceiveFrom IRPs (datagram-socket.ts).
  for (const [id, irp] of k.wsk.sockets.datagramReceives()) {
    holders.hold(irp, `the datagram receives of socket #${id}`);
  }
  checkInspections(k, open);
  checkNtInvariants(k, holders);
}

/** The registrations, each checked; their transport-list IRPs go to `holders`. */
function checkRegistrations(k: Kernel, holders: IrpHolders): ReadonlySet<Registration> {
  const registered = new Set(k.wsk.registered());
  for (const registration of registered) {
    const { phase, captures, pendingIrps } = registration;
    const name = `host ${k.host}: a registration`;
    assert(phase !== 'deregistered', `${name} deregistered but still registered`);
    for (const irp of pendingIrps) holders.hold(irp, 'WSK_TRANSPORT_LIST_CHANGE');
    if (phase !== 'deregistering') continue;
    const sockets = k.wsk.sockets.openSocketsOf(registration.client);
    const waits = captures + pendingIrps.size + sockets;
    assert(waits > 0, `${name} deregistering with nothing left to wait for`);
  }
  return registered;
}

function checkSocket(
  host: string,
  state: SocketState,
  slot: number,
  registered: ReadonlySet<Registration>,
  holders: IrpHolders,
): void {
  const name = `host ${host}: socket #${state.id}`;
  assert(state.slot === slot, `${name} in slot ${slot} says slot ${state.slot}`);
  assert(!state.closed, `${name} closed but still open at slot ${slot}`);
  assert(state.calls === 0, `${name}: ${state.calls} call(s) still running between events`);
  const client = state.client.registration;
  assert(registered.has(client), `${name} open for a client no longer registered`);
  holdSocketIrps(state, holders);
}

/** The IRPs an open socket holds: accepts, connect, data path. */
function holdSocketIrps(state: SocketState, holders: IrpHolders): void {
  const id = state.id;
  for (const accept of state.accepts) holders.hold(accept.irp, `the accepts of socket #${id}`);
  if (state.connectIrp !== null) holders.hold(state.connectIrp, `the connect of socket #${id}`);
  const data = state.data;
  if (data === null) return;
  for (const send of data.sends) holders.hold(send.irp, `the sends of socket #${id}`);
  for (const receive of data.receives) holders.hold(receive.irp, `the receives of socket #${id}`);
  const disconnect: IRP | null = data.disconnect;
  if (disconnect !== null) holders.hold(disconnect, `the disconnect of socket #${id}`);
}

function checkBindings(k: Kernel, open: readonly SocketState[]): void {
  const filed = new Set<SocketState>();
  for (const [port, holders] of k.wsk.sockets.boundPorts()) {
    assert(holders.length > 0, `host ${k.host}: bind table: port ${port} with no holder`);
    for (const holder of holders) {
      const name = `host ${k.host}: bind table: port ${port} held by socket #${holder.id}`;
      assert(!holder.closed && open[holder.slot] === holder, `${name}, which is not open`);
      assert(holder.holdsPort, `${name}, which holds no port`);
      const bound = holder.bound?.port ?? 'nothing';
      assert(bound === port, `${name}, which is bound to ${bound}`);
      assert(!filed.has(holder), `${name}, listed twice`);
      filed.add(holder);
    }
  }
  for (const state of open) {
    if (!state.holdsPort || state.bound === null) continue;
    const detail = `socket #${state.id} holds port ${state.bound.port} but is not in the table`;
    assert(filed.has(state), `host ${k.host}: bind table: ${detail}`);
  }
}

function checkInspections(k: Kernel, open: readonly SocketState[]): void {
  for (const { socket, request, phase, listener } of k.wsk.sockets.inspections()) {
    const name = `host ${k.host}: inspection ${request} (${phase}) of socket #${socket.id}`;
    const live = !socket.closed && !socket.dead && open[socket.slot] === socket;
    assert(live, `${name}, which is closed or dead`);
    assert(socket.options.conditionalAccept, `${name}, which is not conditional`);
    if (phase !== 'pended') continue;
    assert(socket.listener === listener, `${name}, for a listener the socket no longer has`);
  }
}
