/**
 * The NT kernel of one host: the WDK routines a driver calls, as DriverEntry code sees them
 * (`const { IoAllocateIrp, ... } = k;` makes the C body read the same, so every routine is a
 * bound function property, safe to destructure). A provider layer (the WSK provider,
 * wsk/kernel.ts) extends it with its own routines and rules.
 *
 * The model side is reachable through the managers: `irps` (issue / pend / complete an IRP),
 * `pool` (leaks), `mdls`, `irqlRoutines`, `dispatcher`, `threads`, `objects`, `timers`,
 * `workItems`, `spinLocks`; each file cites its behaviours' sources, kernel-core.ts covers
 * IRQL, choices and the verifier hook.
 *
 * Not modelled: multiple processors (one IRQL per host; a spin lock contended by a second CPU
 * cannot happen), APCs, user mode, IRPs from above (every IRP is driver-allocated for now).
 */
import type { Simulator } from '../sim/index.ts';
import type { LayeredRule } from './catalogue.ts';
import { DispatcherManager } from './dispatcher.ts';
import { IrpManager } from './irp-routines.ts';
import { IrqlManager } from './irql-routines.ts';
import { KernelCore } from './kernel-core.ts';
import { MdlManager } from './mdl-routines.ts';
import { ObjectManager } from './objects.ts';
import type { NtKernelOptions } from './options.ts';
import { PoolManager, type PoolLeak } from './pool.ts';
import { defineRoutines, type TableRoutines } from './routines.ts';
import { NT_RULES, type NtAdvisoryId, type NtViolationId } from './rules.ts';
import { SpinLockManager } from './spin-locks.ts';
import { ThreadManager } from './threads.ts';
import { TimerManager } from './timers.ts';
import { WorkItemManager } from './work-items.ts';

/** Every kernel routine a driver can call, by the manager that implements it. */
export const NT_ROUTINES = {
  irps: [
    'IoAllocateIrp',
    'IoFreeIrp',
    'IoReuseIrp',
    'IoSetCompletionRoutine',
    'IoSetCancelRoutine',
    'IoCancelIrp',
    'IoReleaseCancelSpinLock',
    'IoCompleteRequest',
  ],
  pool: ['ExAllocatePoolWithTag', 'ExFreePoolWithTag'],
  mdls: ['IoAllocateMdl', 'IoFreeMdl', 'MmGetMdlByteCount', 'MmGetSystemAddressForMdlSafe'],
  irqlRoutines: ['KeGetCurrentIrql', 'KeRaiseIrql', 'KeLowerIrql'],
  dispatcher: [
    'KeInitializeEvent',
    'KeSetEvent',
    'KeResetEvent',
    'KeClearEvent',
    'KeReadStateEvent',
    'KeWaitForSingleObject',
  ],
  threads: ['PsCreateSystemThread', 'PsTerminateSystemThread'],
  objects: ['ObReferenceObjectByHandle', 'ObDereferenceObject', 'ZwClose'],
  timers: [
    'KeInitializeDpc',
    'KeInitializeTimer',
    'KeSetTimer',
    'KeCancelTimer',
    'KeReadStateTimer',
  ],
  workItems: ['IoAllocateWorkItem', 'IoQueueWorkItem', 'IoFreeWorkItem'],
  spinLocks: [
    'KeInitializeSpinLock',
    'KeAcquireSpinLock',
    'KeReleaseSpinLock',
    'KeAcquireSpinLockAtDpcLevel',
    'KeReleaseSpinLockFromDpcLevel',
  ],
} as const satisfies { readonly [M in keyof NtManagers]: readonly (keyof NtManagers[M])[] };

/** The kernel's managers, by the name the kernel keeps each under. */
export interface NtManagers {
  readonly irps: IrpManager;
  readonly pool: PoolManager;
  readonly mdls: MdlManager;
  readonly irqlRoutines: IrqlManager;
  readonly dispatcher: DispatcherManager;
  readonly threads: ThreadManager;
  readonly objects: ObjectManager;
  readonly timers: TimerManager;
  readonly workItems: WorkItemManager;
  readonly spinLocks: SpinLockManager;
}

type Table = typeof NT_ROUTINES;
/** The kernel routines as properties of the kernel object. */
export type NtRoutines = TableRoutines<NtManagers, Table>;

// The class below gets its routine properties from NT_ROUTINES, bound on first read
// (defineRoutines, below the class).
export interface NtKernel<
  Options extends NtKernelOptions = NtKernelOptions,
  ViolationRule extends string = NtViolationId,
  AdvisoryRule extends string = NtAdvisoryId,
> extends NtRoutines {}

export class NtKernel<
    Options extends NtKernelOptions = NtKernelOptions,
    ViolationRule extends string = NtViolationId,
    AdvisoryRule extends string = NtAdvisoryId,
  >
  extends KernelCore<Options, ViolationRule, AdvisoryRule>
  implements NtManagers
{
  readonly irps: IrpManager;
  readonly pool: PoolManager;
  readonly mdls: MdlManager;
  readonly irqlRoutines: IrqlManager;
  readonly dispatcher: DispatcherManager;
  readonly threads: ThreadManager;
  readonly objects: ObjectManager;
  readonly timers: TimerManager;
  readonly workItems: WorkItemManager;
  readonly spinLocks: SpinLockManager;

  constructor(
    sim: Simulator,
    host: string,
    options: Options,
    catalogue: ReadonlyMap<string, LayeredRule> = NT_RULES,
  ) {
    super(sim, host, options, catalogue);
    this.irps = new IrpManager(this);
    this.pool = new PoolManager(this);
    this.mdls = new MdlManager(this);
    this.irqlRoutines = new IrqlManager(this);
    this.dispatcher = new DispatcherManager(this);
    this.threads = new ThreadManager(this, this.dispatcher);
    this.objects = new ObjectManager();
    this.timers = new TimerManager(this, this.dispatcher);
    this.workItems = new WorkItemManager(this, this.threads);
    this.spinLocks = new SpinLockManager(this);
  }

  /** Outstanding pool allocations by tag and size (the end-of-run POOL-LEAKED check). */
  leaks(): readonly PoolLeak[] {
    return this.pool.leaks();
  }
}

for (const name of Object.keys(NT_ROUTINES) as (keyof Table)[]) {
  defineRoutines(NtKernel.prototype, name, NT_ROUTINES[name]);
}
