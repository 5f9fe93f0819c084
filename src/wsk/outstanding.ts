/**
 * What a driver left behind, as the verifier's end-of-run check lists it (DESIGN.md §5: "every
 * IRP has completed, no inspection is pended, every socket is closed, WskDeregister has
 * returned"; "IRP leaked at the end of the run"; "pool allocation never freed (by tag)").
 *
 * One entry per object, in a fixed order (IRPs a call still holds, IRPs never freed, pended
 * inspections, receive indications retained and never released (wsk.md §3.15; named by their
 * socket's creation site), sockets, registrations, pool), each with its rule, a line naming
 * the object, and the driver's file:line of its allocation when the run recorded sites (the
 * re-run of a failing seed).
 */
import type { Kernel } from './kernel.ts';
import type { ViolationPlace } from './core.ts';

export interface Outstanding {
  readonly rule: string;
  /** One line naming the object, e.g. 'IRP #4 (WskAccept) still pending'. */
  readonly detail: string;
  readonly place: ViolationPlace;
  /** The driver's file:line where it was allocated, when recorded. */
  readonly site?: string;
}

/** Everything `k`'s drivers left outstanding, in the order of the module header. */
export function outstandingOf(k: Kernel): Outstanding[] {
  const list: Outstanding[] = [];
  const add = (rule: string, detail: string, place: ViolationPlace, site?: string | null) =>
    list.push({ rule, detail, place, ...(site !== null && site !== undefined && { site }) });
  const irps = k.irps.outstanding();
  for (const irp of irps) {
    if (irp.state !== 'issued' && irp.state !== 'pending') continue;
    add(
      'IRP-NEVER-COMPLETED',
      `IRP #${irp.id} (${irp.operation}) never completed`,
      {
        irp: irp.id,
      },
      irp.site,
    );
  }
  for (const irp of irps) {
    if (irp.state === 'issued' || irp.state === 'pending') continue;
    add('IRP-LEAKED', `IRP #${irp.id} never freed`, { irp: irp.id }, irp.site);
  }
  // A pended inspection is named by its listening socket's creation site.
  for (const { socket, id, site } of k.wsk.sockets.stillPended()) {
    const detail =
      `inspection {Key ${id.Key}, SerialNumber ${id.SerialNumber}} on socket #${socket} ` +
      'pended, never completed or aborted';
    add('WSK-INSPECTION-PENDED', detail, { socket }, site);
  }
  for (const socket of k.wsk.sockets.retainedIndications()) {
    const detail = `socket #${socket.id}: ${socket.count} retained indication list(s) not released`;
    add('WSK-INDICATION-NOT-RELEASED', detail, { socket: socket.id }, socket.site);
  }
  for (const socket of k.wsk.sockets.stillOpen()) {
    const detail = `${socket.category} socket #${socket.id} never closed`;
    add('WSK-SOCKET-LEAKED', detail, { socket: socket.id }, socket.site);
  }
  for (const registration of k.wsk.registered()) {
    const detail = `WskRegister (${registration.phase}) without WskDeregister returning`;
    add('WSK-NOT-DEREGISTERED', detail, {}, registration.site);
  }
  for (const leak of k.pool.leaks()) {
    add('POOL-LEAKED', `pool tag ${leak.tag}, ${leak.bytes} bytes never freed`, {}, leak.site);
  }
  return list;
}
