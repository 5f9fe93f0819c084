/**
 * The kernel of one host: the WDK routines a driver calls, as DriverEntry code sees them
 * (DESIGN.md §3: "A driver is a function that receives its host's kernel"; `const {
 * IoAllocateIrp, ... } = k;` must make the C body read the same, so every routine is a bound
 * function property, safe to destructure). WSK registration and capture (registration.ts) are
 * attached here too: WskRegister, WskDeregister, WskCaptureProviderNPI, WskReleaseProviderNPI,
 * WskQueryProviderCharacteristics.
 *
 * The model side is reachable through `irps` (issue / pend / complete an IRP for a WSK call),
 * `pool` (leaks), `mdls`, `ke` and `deferred`; irp.ts, pool.ts, mdl.ts, ke.ts and deferred.ts
 * cite each behaviour's source, core.ts covers IRQL, choices and the verifier hook.
 *
 * Not modelled: multiple processors (one IRQL per host; a spin lock contended by a second CPU
 * cannot happen), APCs, user mode, IRPs from above (every IRP is driver-allocated for now).
 */
import type { Simulator } from '../sim/index.ts';
import { KernelCore, type KernelOptions } from './core.ts';
import { DeferredManager } from './deferred.ts';
import { IrpManager } from './irp.ts';
import { KeManager } from './ke.ts';
import { MdlManager } from './mdl.ts';
import { PoolManager } from './pool.ts';
import { WskManager } from './registration.ts';

export class Kernel extends KernelCore {
  readonly irps: IrpManager;
  readonly pool: PoolManager;
  readonly mdls: MdlManager;
  readonly ke: KeManager;
  readonly deferred: DeferredManager;
  /** The host's WSK provider: registration, capture, provider readiness (registration.ts). */
  readonly wsk: WskManager;

  // IRPs (irp.ts)
  readonly IoAllocateIrp: IrpManager['IoAllocateIrp'];
  readonly IoFreeIrp: IrpManager['IoFreeIrp'];
  readonly IoReuseIrp: IrpManager['IoReuseIrp'];
  readonly IoSetCompletionRoutine: IrpManager['IoSetCompletionRoutine'];
  readonly IoSetCancelRoutine: IrpManager['IoSetCancelRoutine'];
  readonly IoCancelIrp: IrpManager['IoCancelIrp'];
  readonly IoReleaseCancelSpinLock: IrpManager['IoReleaseCancelSpinLock'];
  readonly IoCompleteRequest: IrpManager['IoCompleteRequest'];
  // Pool (pool.ts)
  readonly ExAllocatePoolWithTag: PoolManager['ExAllocatePoolWithTag'];
  readonly ExFreePoolWithTag: PoolManager['ExFreePoolWithTag'];
  // MDLs (mdl.ts)
  readonly IoAllocateMdl: MdlManager['IoAllocateMdl'];
  readonly IoFreeMdl: MdlManager['IoFreeMdl'];
  readonly MmGetMdlByteCount: MdlManager['MmGetMdlByteCount'];
  readonly MmGetSystemAddressForMdlSafe: MdlManager['MmGetSystemAddressForMdlSafe'];
  // IRQL, events, waits, threads (ke.ts)
  readonly KeGetCurrentIrql: KeManager['KeGetCurrentIrql'];
  readonly KeRaiseIrql: KeManager['KeRaiseIrql'];
  readonly KeLowerIrql: KeManager['KeLowerIrql'];
  readonly KeInitializeEvent: KeManager['KeInitializeEvent'];
  readonly KeSetEvent: KeManager['KeSetEvent'];
  readonly KeResetEvent: KeManager['KeResetEvent'];
  readonly KeClearEvent: KeManager['KeClearEvent'];
  readonly KeReadStateEvent: KeManager['KeReadStateEvent'];
  readonly KeWaitForSingleObject: KeManager['KeWaitForSingleObject'];
  readonly PsCreateSystemThread: KeManager['PsCreateSystemThread'];
  readonly PsTerminateSystemThread: KeManager['PsTerminateSystemThread'];
  readonly ObReferenceObjectByHandle: KeManager['ObReferenceObjectByHandle'];
  readonly ObDereferenceObject: KeManager['ObDereferenceObject'];
  readonly ZwClose: KeManager['ZwClose'];
  // Timers and DPCs, work items, spin locks (deferred.ts)
  readonly KeInitializeDpc: DeferredManager['KeInitializeDpc'];
  readonly KeInitializeTimer: DeferredManager['KeInitializeTimer'];
  readonly KeSetTimer: DeferredManager['KeSetTimer'];
  readonly KeCancelTimer: DeferredManager['KeCancelTimer'];
  readonly KeReadStateTimer: DeferredManager['KeReadStateTimer'];
  readonly IoAllocateWorkItem: DeferredManager['IoAllocateWorkItem'];
  readonly IoQueueWorkItem: DeferredManager['IoQueueWorkItem'];
  readonly IoFreeWorkItem: DeferredManager['IoFreeWorkItem'];
  readonly KeInitializeSpinLock: DeferredManager['KeInitializeSpinLock'];
  readonly KeAcquireSpinLock: DeferredManager['KeAcquireSpinLock'];
  readonly KeReleaseSpinLock: DeferredManager['KeReleaseSpinLock'];
  readonly KeAcquireSpinLockAtDpcLevel: DeferredManager['KeAcquireSpinLockAtDpcLevel'];
  readonly KeReleaseSpinLockFromDpcLevel: DeferredManager['KeReleaseSpinLockFromDpcLevel'];
  // WSK registration (registration.ts)
  readonly WskRegister: WskManager['WskRegister'];
  readonly WskDeregister: WskManager['WskDeregister'];
  readonly WskCaptureProviderNPI: WskManager['WskCaptureProviderNPI'];
  readonly WskReleaseProviderNPI: WskManager['WskReleaseProviderNPI'];
  readonly WskQueryProviderCharacteristics: WskManager['WskQueryProviderCharacteristics'];

  constructor(sim: Simulator, host: string, options: KernelOptions = {}) {
    super(sim, host, options);
    const irps = (this.irps = new IrpManager(this));
    const pool = (this.pool = new PoolManager(this));
    const mdls = (this.mdls = new MdlManager(this));
    const ke = (this.ke = new KeManager(this));
    const deferred = (this.deferred = new DeferredManager(this, ke));
    this.IoAllocateIrp = irps.IoAllocateIrp.bind(irps);
    this.IoFreeIrp = irps.IoFreeIrp.bind(irps);
    this.IoReuseIrp = irps.IoReuseIrp.bind(irps);
    this.IoSetCompletionRoutine = irps.IoSetCompletionRoutine.bind(irps);
    this.IoSetCancelRoutine = irps.IoSetCancelRoutine.bind(irps);
    this.IoCancelIrp = irps.IoCancelIrp.bind(irps);
    this.IoReleaseCancelSpinLock = irps.IoReleaseCancelSpinLock.bind(irps);
    this.IoCompleteRequest = irps.IoCompleteRequest.bind(irps);
    this.ExAllocatePoolWithTag = pool.ExAllocatePoolWithTag.bind(pool);
    this.ExFreePoolWithTag = pool.ExFreePoolWithTag.bind(pool);
    this.IoAllocateMdl = mdls.IoAllocateMdl.bind(mdls);
    this.IoFreeMdl = mdls.IoFreeMdl.bind(mdls);
    this.MmGetMdlByteCount = mdls.MmGetMdlByteCount.bind(mdls);
    this.MmGetSystemAddressForMdlSafe = mdls.MmGetSystemAddressForMdlSafe.bind(mdls);
    this.KeGetCurrentIrql = ke.KeGetCurrentIrql.bind(ke);
    this.KeRaiseIrql = ke.KeRaiseIrql.bind(ke);
    this.KeLowerIrql = ke.KeLowerIrql.bind(ke);
    this.KeInitializeEvent = ke.KeInitializeEvent.bind(ke);
    this.KeSetEvent = ke.KeSetEvent.bind(ke);
    this.KeResetEvent = ke.KeResetEvent.bind(ke);
    this.KeClearEvent = ke.KeClearEvent.bind(ke);
    this.KeReadStateEvent = ke.KeReadStateEvent.bind(ke);
    this.KeWaitForSingleObject = ke.KeWaitForSingleObject.bind(ke);
    this.PsCreateSystemThread = ke.PsCreateSystemThread.bind(ke);
    this.PsTerminateSystemThread = ke.PsTerminateSystemThread.bind(ke);
    this.ObReferenceObjectByHandle = ke.ObReferenceObjectByHandle.bind(ke);
    this.ObDereferenceObject = ke.ObDereferenceObject.bind(ke);
    this.ZwClose = ke.ZwClose.bind(ke);
    this.KeInitializeDpc = deferred.KeInitializeDpc.bind(deferred);
    this.KeInitializeTimer = deferred.KeInitializeTimer.bind(deferred);
    this.KeSetTimer = deferred.KeSetTimer.bind(deferred);
    this.KeCancelTimer = deferred.KeCancelTimer.bind(deferred);
    this.KeReadStateTimer = deferred.KeReadStateTimer.bind(deferred);
    this.IoAllocateWorkItem = deferred.IoAllocateWorkItem.bind(deferred);
    this.IoQueueWorkItem = deferred.IoQueueWorkItem.bind(deferred);
    this.IoFreeWorkItem = deferred.IoFreeWorkItem.bind(deferred);
    this.KeInitializeSpinLock = deferred.KeInitializeSpinLock.bind(deferred);
    this.KeAcquireSpinLock = deferred.KeAcquireSpinLock.bind(deferred);
    this.KeReleaseSpinLock = deferred.KeReleaseSpinLock.bind(deferred);
    this.KeAcquireSpinLockAtDpcLevel = deferred.KeAcquireSpinLockAtDpcLevel.bind(deferred);
    this.KeReleaseSpinLockFromDpcLevel = deferred.KeReleaseSpinLockFromDpcLevel.bind(deferred);
    const wsk = (this.wsk = new WskManager(this, irps));
    this.WskRegister = wsk.WskRegister.bind(wsk);
    this.WskDeregister = wsk.WskDeregister.bind(wsk);
    this.WskCaptureProviderNPI = wsk.WskCaptureProviderNPI.bind(wsk);
    this.WskReleaseProviderNPI = wsk.WskReleaseProviderNPI.bind(wsk);
    this.WskQueryProviderCharacteristics = wsk.WskQueryProviderCharacteristics.bind(wsk);
  }

  /** Outstanding pool allocations by tag and size (DESIGN.md §5 "pool allocation never freed"). */
  leaks(): ReturnType<PoolManager['leaks']> {
    return this.pool.leaks();
  }
}
