/**
 * What a driver left behind, as the verifier's end-of-run check lists it: every IRP has
 * completed and been freed, no inspection is pended, no receive indication is retained, every
 * socket is closed, every WskRegister has its WskDeregister, all pool is freed
 * (docs/design.md#the-verifier).
 *
 * One entry per object, in a fixed order (IRPs a call still holds, IRPs never freed, pended
 * inspections, receive indications retained and never released (named by their socket's
 * creation site), sockets, registrations, pool, then system threads still blocked in a wait with no
 * timeout, named by the line of the wait), each with its rule, a line naming the object and
 * saying since when it has been in its state (its last change: an inspection pended, the oldest
 * list retained, a socket's lifecycle flags, a registration's phase), and the driver's file:line
 * of its allocation when the run recorded sites (the re-run of a failing seed).
 */
import { formatInstant } from '../sim/index.ts';
import {
  addOutstanding,
  outstandingIrps,
  outstandingPool,
  outstandingWaits,
  type Outstanding as KernelOutstanding,
} from '../nt/index.ts';
import type { Kernel } from './kernel.ts';
import type { ViolationId } from './rules.ts';

export type Outstanding = KernelOutstanding<ViolationId>;

/** Everything `k`'s drivers left outstanding, in the order of the module header. */
export function outstandingOf(k: Kernel): Outstanding[] {
  const list: Outstanding[] = outstandingIrps(k.irps);
  // A pended inspection is named by its listening socket's creation site.
  for (const { socket, id, since, site } of k.wsk.sockets.stillPended()) {
    const detail =
      `inspection {Key ${id.Key}, SerialNumber ${id.SerialNumber}} on socket #${socket} ` +
      `never completed or aborted; pended since ${formatInstant(since)}`;
    addOutstanding(list, 'WSK-INSPECTION-PENDED', detail, { socket }, site);
  }
  for (const socket of k.wsk.sockets.retainedIndications()) {
    const detail =
      `socket #${socket.id}: ${socket.count} retained indication list(s) not released; ` +
      `retained since ${formatInstant(socket.since)}`;
    addOutstanding(list, 'WSK-INDICATION-NOT-RELEASED', detail, { socket: socket.id }, socket.site);
  }
  for (const socket of k.wsk.sockets.retainedDatagramIndications()) {
    const detail =
      `socket #${socket.id}: ${socket.count} retained datagram indication list(s) not ` +
      `released; retained since ${formatInstant(socket.since)}`;
    const place = { socket: socket.id };
    addOutstanding(list, 'WSK-DATAGRAM-INDICATION-NOT-RELEASED', detail, place, socket.site);
  }
  for (const socket of k.wsk.sockets.stillOpen()) {
    const detail =
      `${socket.category} socket #${socket.id} never closed; ${socket.state} since ` +
      formatInstant(socket.since);
    addOutstanding(list, 'WSK-SOCKET-LEAKED', detail, { socket: socket.id }, socket.site);
  }
  for (const registration of k.wsk.registered()) {
    const detail =
      `WskRegister without WskDeregister returning; ${registration.phase} since ` +
      formatInstant(registration.stateSince);
    addOutstanding(list, 'WSK-NOT-DEREGISTERED', detail, {}, registration.site);
  }
  for (const leak of k.wsk.addressInfoLeaks()) {
    addOutstanding(list, 'ADDRINFO-LEAKED', leak.detail, {}, leak.site);
  }
  list.push(...outstandingPool(k.pool));
  list.push(...outstandingWaits(k.dispatcher));
  return list;
}
