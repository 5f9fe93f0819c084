/**
 * What a driver left behind in the kernel, as the verifier's end-of-run check lists it: IRPs a
 * call still holds, IRPs never freed, pool never freed (by tag and size), and system threads still
 * blocked in a wait with no timeout (a deadlock or a lost wake-up). Each entry has its
 * rule, a line naming the object, and the driver's file:line of its allocation when the run
 * recorded sites (the re-run of a failing seed). A provider adds its own objects between the
 * IRPs and the pool (wsk/outstanding.ts).
 */
import { formatInstant } from '../sim/index.ts';
import type { DispatcherManager, DispatcherObject } from './dispatcher.ts';
import type { IrpManager } from './irp-routines.ts';
import type { ViolationPlace } from './kernel-core.ts';
import type { PoolManager } from './pool.ts';
import type { NtViolationId } from './rules.ts';

export interface Outstanding<Rule extends string = NtViolationId> {
  readonly rule: Rule;
  /** One line naming the object, e.g. 'IRP #4 (WskAccept) never completed'. */
  readonly detail: string;
  readonly place: ViolationPlace;
  /** The driver's file:line where it was allocated, when recorded. */
  readonly site?: string;
}

/** Adds one entry to `list`, with its site when one was recorded. */
export function addOutstanding<Rule extends string>(
  list: Outstanding<Rule>[],
  rule: Rule,
  detail: string,
  place: ViolationPlace,
  site?: string | null,
): void {
  list.push({ rule, detail, place, ...(site !== null && site !== undefined && { site }) });
}

/**
 * IRPs never completed, then IRPs completed but never freed, in allocation order; each says since
 * when it has been in its state (its last change: issued, pended, completed), for a stall's cause.
 */
export function outstandingIrps(irps: IrpManager): Outstanding[] {
  const list: Outstanding[] = [];
  const all = irps.outstanding();
  for (const irp of all) {
    if (irp.state !== 'issued' && irp.state !== 'pending') continue;
    const detail =
      `IRP #${irp.id} (${irp.operation}) never completed; ${irp.state} since ` +
      formatInstant(irp.stateSince);
    addOutstanding(list, 'IRP-NEVER-COMPLETED', detail, { irp: irp.id }, irp.site);
  }
  for (const irp of all) {
    if (irp.state === 'issued' || irp.state === 'pending') continue;
    const since = formatInstant(irp.stateSince);
    const detail = `IRP #${irp.id} never freed; ${irp.state} since ${since}`;
    addOutstanding(list, 'IRP-LEAKED', detail, { irp: irp.id }, irp.site);
  }
  return list;
}

/** Pool allocations never freed, by tag and size. */
export function outstandingPool(pool: PoolManager): Outstanding[] {
  const list: Outstanding[] = [];
  for (const leak of pool.leaks()) {
    const detail = `pool tag ${leak.tag}, ${leak.bytes} bytes never freed`;
    addOutstanding(list, 'POOL-LEAKED', detail, {}, leak.site);
  }
  return list;
}

/**
 * System threads still blocked in a wait with no timeout: each with the routine it waits in, the
 * object it waits on and since when; the site is the line of the wait.
 */
export function outstandingWaits(dispatcher: DispatcherManager): Outstanding[] {
  const list: Outstanding[] = [];
  for (const wait of dispatcher.blocked()) {
    const object = wait.object;
    const on =
      typeof object === 'function' ? object() : `${objectName(object)}, never signalled`;
    const detail =
      `thread ${wait.thread} blocked since ${formatInstant(wait.since)} in ${wait.routine} ` +
      `on ${on}`;
    addOutstanding(list, 'WAIT-NEVER-SATISFIED', detail, {}, wait.site);
  }
  return list;
}

/** 'a KEVENT (NotificationEvent)', 'a KTIMER', 'a KTHREAD' (a thread's exit). */
function objectName(object: DispatcherObject): string {
  const kind = object.constructor.name;
  if (kind !== 'KEVENT') return `a ${kind}`;
  return `a KEVENT (${object.synchronization ? 'SynchronizationEvent' : 'NotificationEvent'})`;
}
