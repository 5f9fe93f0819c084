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
import { DebugPrintManager } from './debug-print.ts';
import { DeviceManager } from './device.ts';
import { InterlockedRoutines } from './interlocked.ts';
import { ListManager } from './lists.ts';
import { LookasideManager } from './lookaside.ts';
import { MutexManager } from './mutex.ts';
import { RundownManager } from './rundown.ts';
import { SListManager } from './slists.ts';
import { WaitManager } from './waits.ts';

/** The managers made on first use (NtKernel's getters). */
interface MoreManagers {
  lists?: ListManager;
  slists?: SListManager;
  rundown?: RundownManager;
  waits?: WaitManager;
  mutexes?: MutexManager;
  lookaside?: LookasideManager;
  devices?: DeviceManager;
  debugPrint?: DebugPrintManager;
}

/** The interlocked routines hold no state: every kernel shares one table of them. */
const INTERLOCKED = new InterlockedRoutines();

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
  pool: [
    'ExAllocatePoolWithTag',
    'ExFreePoolWithTag',
    'ExAllocatePool2',
    'ExAllocatePoolZero',
    'ExFreePool',
  ],
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
    'KeInitializeTimerEx',
    'KeSetTimer',
    'KeSetTimerEx',
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
  // Issue 18: the routines drivers call around WSK, each manager made on its first use.
  lists: [
    'InitializeListHead',
    'IsListEmpty',
    'InsertHeadList',
    'InsertTailList',
    'RemoveHeadList',
    'RemoveTailList',
    'RemoveEntryList',
  ],
  slists: [
    'InitializeSListHead',
    'ExInterlockedPushEntrySList',
    'ExInterlockedPopEntrySList',
    'InterlockedPushEntrySList',
    'InterlockedPopEntrySList',
    'ExInterlockedFlushSList',
    'InterlockedFlushSList',
    'ExQueryDepthSList',
    'PushEntryList',
    'PopEntryList',
  ],
  interlocked: [
    'InterlockedIncrement',
    'InterlockedDecrement',
    'InterlockedExchangeAdd',
    'InterlockedExchange',
    'InterlockedCompareExchange',
    'InterlockedExchangePointer',
    'InterlockedCompareExchangePointer',
  ],
  rundown: [
    'ExInitializeRundownProtection',
    'ExReInitializeRundownProtection',
    'ExAcquireRundownProtection',
    'ExReleaseRundownProtection',
    'ExWaitForRundownProtectionRelease',
    'ExRundownCompleted',
  ],
  waits: ['KeDelayExecutionThread', 'KeWaitForMultipleObjects'],
  mutexes: [
    'KeInitializeMutex',
    'KeReleaseMutex',
    'KeReadStateMutex',
    'ExInitializeFastMutex',
    'ExAcquireFastMutex',
    'ExTryToAcquireFastMutex',
    'ExReleaseFastMutex',
  ],
  lookaside: [
    'ExInitializeNPagedLookasideList',
    'ExAllocateFromNPagedLookasideList',
    'ExFreeToNPagedLookasideList',
    'ExDeleteNPagedLookasideList',
  ],
  devices: ['IoCreateDevice', 'IoDeleteDevice'],
  debugPrint: ['DbgPrint', 'DbgPrintEx', 'KdPrint', 'KdPrintEx'],
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
  readonly lists: ListManager;
  readonly slists: SListManager;
  readonly interlocked: InterlockedRoutines;
  readonly rundown: RundownManager;
  readonly waits: WaitManager;
  readonly mutexes: MutexManager;
  readonly lookaside: LookasideManager;
  readonly devices: DeviceManager;
  readonly debugPrint: DebugPrintManager;
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

  // The managers of issue 18's routines, made on first use: a kernel whose driver never names
  // them (most of a campaign's thousands) pays one field for them all.
  #more: MoreManagers | null = null;
  get #m(): MoreManagers {
    return (this.#more ??= {});
  }
  get lists(): ListManager {
    return (this.#m.lists ??= new ListManager(this));
  }
  get slists(): SListManager {
    return (this.#m.slists ??= new SListManager(this));
  }
  get interlocked(): InterlockedRoutines {
    return INTERLOCKED;
  }
  get rundown(): RundownManager {
    return (this.#m.rundown ??= new RundownManager(this, this.dispatcher));
  }
  get waits(): WaitManager {
    return (this.#m.waits ??= new WaitManager(this, this.dispatcher));
  }
  get mutexes(): MutexManager {
    return (this.#m.mutexes ??= new MutexManager(this, this.dispatcher));
  }
  get lookaside(): LookasideManager {
    return (this.#m.lookaside ??= new LookasideManager(this, this.pool));
  }
  get devices(): DeviceManager {
    return (this.#m.devices ??= new DeviceManager(this));
  }
  get debugPrint(): DebugPrintManager {
    return (this.#m.debugPrint ??= new DebugPrintManager(this));
  }

  /** Outstanding pool allocations by tag and size (the end-of-run POOL-LEAKED check). */
  leaks(): readonly PoolLeak[] {
    return this.pool.leaks();
  }
}

for (const name of Object.keys(NT_ROUTINES) as (keyof Table)[]) {
  defineRoutines(NtKernel.prototype, name, NT_ROUTINES[name]);
}
