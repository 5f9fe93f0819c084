/**
 * The verifier's kernel rules (docs/design.md#kernel-rules, #irp-rules), one case per rule: a
 * minimal driver that breaks it, asserting the rule id and the reported file:line, and its correct
 * twin (README, "The verifier"). Covered: every catalogue rule (src/wsk/rules.ts) whose id starts
 * with IRP-, CANCEL-, MDL-, POOL-, IRQL-, SPINLOCK-, WAIT-, OBJECT-, THREAD- or WORKITEM-, except
 * the end-of-run rules IRP-LEAKED, IRP-NEVER-COMPLETED and POOL-LEAKED (verifier-wsk.test.ts has
 * those).
 *
 * Each case's `breaks` driver marks the line that breaks the rule with a trailing comment
 * `// breaks <RULE-ID>`; the test finds that line in this file's own source and checks that the
 * violation's site (src/sim/site.ts: the innermost stack frame outside wsksim's src/) is it.
 * Where the model reports a rule only after a callback returned (IRQL-NOT-RESTORED,
 * SPINLOCK-HELD-ON-RETURN, IRP-COMPLETION-RETURN), the routine's frame is gone by then: the
 * site is the driver's call that ran the routine inline, and that call carries the marker.
 * The `twin` is the same driver done right: no violation, and the run ends quiescent.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/simulation.ts';
import {
  AF_INET,
  DISPATCH_LEVEL,
  DelayedWorkQueue,
  Executive,
  IO_NO_INCREMENT,
  IPPROTO_TCP,
  IRP,
  KDPC,
  KEVENT,
  KSPIN_LOCK,
  KTIMER,
  Kernel,
  KernelMode,
  MAKE_WSK_VERSION,
  NonPagedPool,
  NormalPagePriority,
  NotificationEvent,
  PASSIVE_LEVEL,
  PagedPool,
  RULES,
  SOCK_STREAM,
  STATUS_CANCELLED,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  WSK_FLAG_BASIC_SOCKET,
  WSK_NO_WAIT,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  type DRIVER_CANCEL,
  type HANDLE,
  type IO_COMPLETION_ROUTINE,
  type IO_WORKITEM,
  type KIRQL,
  type KernelOptions,
  type LARGE_INTEGER,
  type MDL,
  type WSK_CLIENT_NPI,
  type WSK_PROVIDER_DISPATCH,
} from '../../src/wsk/index.ts';
import { markers } from '../support/markers.ts';

// ---- where a rule is broken: the line of this file that carries its marker ------------------

const { file: FILE, lineOf } = markers(import.meta.url);

// ---- a host with a kernel, and the small pieces of driver the cases share --------------------

interface Host {
  readonly sim: Simulation;
  readonly k: Kernel;
}

function host(options: KernelOptions = {}): Host {
  const sim = new Simulation({ seed: 1 });
  sim.addHost({ name: 'h', ipv4: '10.0.0.1' });
  return { sim, k: sim.kernel('h', { pendingCompletions: 0, ...options }) };
}

const done: IO_COMPLETION_ROUTINE = () => STATUS_MORE_PROCESSING_REQUIRED;

/**
 * IoAllocateIrp and IoSetCompletionRoutine for success, error and cancel
 * (docs/model.md#completion-routines).
 */
function irp(k: Kernel, routine: IO_COMPLETION_ROUTINE = done, StackSize = 1): IRP {
  const Irp = k.IoAllocateIrp(StackSize, false);
  if (Irp === null) throw new Error('IoAllocateIrp failed');
  k.IoSetCompletionRoutine(Irp, routine, null, true, true, true);
  return Irp;
}

/**
 * An IRP pending in the driver's own queue, with `cancel` as its cancel routine. The model has
 * no IRPs from above yet (kernel.ts), so it is taken and pended through the model side
 * (k.irps.issue / k.irps.pend), as test/nt/irp.test.ts does; what the driver then does with
 * it (IoCompleteRequest, IoCancelIrp, its cancel routine) is driver code.
 */
function queued(k: Kernel, cancel: DRIVER_CANCEL | null = null): IRP {
  const Irp = irp(k);
  expect(k.irps.issue(Irp, 'driver queue')).toBe(true);
  expect(k.irps.pend(Irp)).toBe(STATUS_PENDING);
  k.IoSetCancelRoutine(Irp, cancel);
  return Irp;
}

/**
 * A registered WSK client with its NPI captured: WskSocket and the arguments before its IRP
 * (a basic IPv4 socket), so that a case writes the call on one line: `WskSocket(...socket, Irp)`.
 * The call must stay on the case's line: a helper wrapping it would be the reported site.
 */
function client(k: Kernel) {
  const ClientNpi: WSK_CLIENT_NPI = {
    ClientContext: null,
    Dispatch: { Version: MAKE_WSK_VERSION(1, 0), Reserved: 0, WskClientEvent: null },
  };
  const Registration = new WSK_REGISTRATION();
  expect(k.WskRegister(ClientNpi, Registration)).toBe(STATUS_SUCCESS);
  const Npi = new WSK_PROVIDER_NPI();
  expect(k.WskCaptureProviderNPI(Registration, WSK_NO_WAIT, Npi)).toBe(STATUS_SUCCESS);
  const Client = Npi.Client;
  if (Client === null) throw new Error('no client');
  const { WskSocket } = Npi.Dispatch as WSK_PROVIDER_DISPATCH;
  const socket = [
    Client,
    AF_INET,
    SOCK_STREAM,
    IPPROTO_TCP,
    WSK_FLAG_BASIC_SOCKET,
    null,
    null,
    null,
    null,
    null,
  ] as const;
  return { WskSocket, socket };
}

function event(k: Kernel): KEVENT {
  const Event = new KEVENT();
  k.KeInitializeEvent(Event, NotificationEvent, false);
  return Event;
}

function spinLock(k: Kernel): KSPIN_LOCK {
  const Lock = new KSPIN_LOCK();
  k.KeInitializeSpinLock(Lock);
  return Lock;
}

/** A relative due time or timeout of `n` ms (100 ns units, negative). */
const ms = (n: number): LARGE_INTEGER => ({ QuadPart: -n * 10_000 });
/** WaitReason, WaitMode, Alertable as drivers pass them. */
const WAIT = [Executive, KernelMode, false] as const;
/** A work item's routine that has nothing to do. */
const idle = (): void => undefined;
const oldIrql = (): { value: KIRQL } => ({ value: PASSIVE_LEVEL });

// ---- the cases --------------------------------------------------------------------------------

interface Case {
  /** Kernel options beyond { pendingCompletions: 0 }, for both drivers. */
  readonly options?: KernelOptions;
  /** The driver that breaks the rule (it may start threads with sim.load); the run follows. */
  readonly breaks: (h: Host) => void;
  /** The same driver done right. */
  readonly twin: (h: Host) => void;
}

const CASES: Record<string, Case> = {
  // ---- IRPs ----------------------------------------------------------------------------------
  'IRP-COMPLETED-TWICE': {
    breaks: ({ k }) => {
      const Irp = queued(k);
      Irp.IoStatus.Status = STATUS_SUCCESS;
      k.IoCompleteRequest(Irp, IO_NO_INCREMENT);
      k.IoCompleteRequest(Irp, IO_NO_INCREMENT); // breaks IRP-COMPLETED-TWICE
    },
    twin: ({ k }) => {
      const Irp = queued(k);
      Irp.IoStatus.Status = STATUS_SUCCESS;
      k.IoCompleteRequest(Irp, IO_NO_INCREMENT);
      k.IoFreeIrp(Irp);
    },
  },
  'IRP-COMPLETED-NOT-ISSUED': {
    breaks: ({ k }) => {
      const Irp = irp(k);
      Irp.IoStatus.Status = STATUS_SUCCESS;
      k.IoCompleteRequest(Irp, IO_NO_INCREMENT); // breaks IRP-COMPLETED-NOT-ISSUED
    },
    twin: ({ k }) => {
      const Irp = queued(k);
      Irp.IoStatus.Status = STATUS_SUCCESS;
      k.IoCompleteRequest(Irp, IO_NO_INCREMENT);
    },
  },
  'IRP-COMPLETED-PENDING': {
    breaks: ({ k }) => {
      const Irp = queued(k);
      k.IoCompleteRequest(Irp, IO_NO_INCREMENT); // breaks IRP-COMPLETED-PENDING
    },
    twin: ({ k }) => {
      const Irp = queued(k);
      Irp.IoStatus.Status = STATUS_SUCCESS;
      k.IoCompleteRequest(Irp, IO_NO_INCREMENT);
    },
  },
  'IRP-FREED-WHILE-PENDING': {
    options: { pendingCompletions: 1 },
    breaks: ({ sim, k }) => {
      const { WskSocket, socket } = client(k);
      sim.load('h', () => {
        const Irp = irp(k);
        expect(WskSocket(...socket, Irp)).toBe(STATUS_PENDING);
        k.IoFreeIrp(Irp); // breaks IRP-FREED-WHILE-PENDING
      });
    },
    twin: ({ sim, k }) => {
      const { WskSocket, socket } = client(k);
      const Event = event(k);
      sim.load('h', async () => {
        const Irp = irp(k, () => {
          k.KeSetEvent(Event, IO_NO_INCREMENT, false);
          return STATUS_MORE_PROCESSING_REQUIRED;
        });
        if (WskSocket(...socket, Irp) === STATUS_PENDING) {
          await k.KeWaitForSingleObject(Event, ...WAIT, null);
        }
        k.IoFreeIrp(Irp);
      });
    },
  },
  'IRP-FREED-TWICE': {
    breaks: ({ k }) => {
      const Irp = irp(k);
      k.IoFreeIrp(Irp);
      k.IoFreeIrp(Irp); // breaks IRP-FREED-TWICE
    },
    twin: ({ k }) => {
      const Irp = irp(k);
      k.IoFreeIrp(Irp);
    },
  },
  'IRP-USE-AFTER-FREE': {
    breaks: ({ k }) => {
      const { WskSocket, socket } = client(k);
      const Irp = irp(k);
      k.IoFreeIrp(Irp);
      WskSocket(...socket, Irp); // breaks IRP-USE-AFTER-FREE
    },
    twin: ({ k }) => {
      const { WskSocket, socket } = client(k);
      const Irp = irp(k);
      expect(WskSocket(...socket, Irp)).toBe(STATUS_SUCCESS);
      k.IoFreeIrp(Irp);
    },
  },
  'IRP-REUSED-WHILE-PENDING': {
    options: { pendingCompletions: 1 },
    breaks: ({ sim, k }) => {
      const { WskSocket, socket } = client(k);
      sim.load('h', () => {
        const Irp = irp(k);
        expect(WskSocket(...socket, Irp)).toBe(STATUS_PENDING);
        k.IoReuseIrp(Irp, STATUS_SUCCESS); // breaks IRP-REUSED-WHILE-PENDING
      });
    },
    twin: ({ sim, k }) => {
      const { WskSocket, socket } = client(k);
      const Event = event(k);
      const signal: IO_COMPLETION_ROUTINE = () => {
        k.KeSetEvent(Event, IO_NO_INCREMENT, false);
        return STATUS_MORE_PROCESSING_REQUIRED;
      };
      sim.load('h', async () => {
        const Irp = irp(k, signal);
        expect(WskSocket(...socket, Irp)).toBe(STATUS_PENDING);
        await k.KeWaitForSingleObject(Event, ...WAIT, null);
        k.IoReuseIrp(Irp, STATUS_SUCCESS);
        k.IoFreeIrp(Irp);
      });
    },
  },
  'IRP-NO-COMPLETION-ROUTINE': {
    breaks: ({ k }) => {
      const { WskSocket, socket } = client(k);
      const Irp = k.IoAllocateIrp(1, false) as IRP;
      WskSocket(...socket, Irp); // breaks IRP-NO-COMPLETION-ROUTINE
    },
    twin: ({ k }) => {
      const { WskSocket, socket } = client(k);
      const Irp = k.IoAllocateIrp(1, false) as IRP;
      k.IoSetCompletionRoutine(Irp, done, null, true, true, true);
      expect(WskSocket(...socket, Irp)).toBe(STATUS_SUCCESS);
    },
  },
  'IRP-COMPLETION-FLAGS': {
    breaks: ({ k }) => {
      const { WskSocket, socket } = client(k);
      const Irp = k.IoAllocateIrp(1, false) as IRP;
      k.IoSetCompletionRoutine(Irp, done, null, true, true, false);
      WskSocket(...socket, Irp); // breaks IRP-COMPLETION-FLAGS
    },
    twin: ({ k }) => {
      const { WskSocket, socket } = client(k);
      const Irp = k.IoAllocateIrp(1, false) as IRP;
      k.IoSetCompletionRoutine(Irp, done, null, true, true, true);
      expect(WskSocket(...socket, Irp)).toBe(STATUS_SUCCESS);
    },
  },
  'IRP-COMPLETION-RETURN': {
    // Reported after the routine returned: the site is the call that ran it inline.
    breaks: ({ k }) => {
      const { WskSocket, socket } = client(k);
      const Irp = irp(k, () => STATUS_SUCCESS);
      WskSocket(...socket, Irp); // breaks IRP-COMPLETION-RETURN
    },
    twin: ({ k }) => {
      const { WskSocket, socket } = client(k);
      const Irp = irp(k, () => STATUS_MORE_PROCESSING_REQUIRED);
      expect(WskSocket(...socket, Irp)).toBe(STATUS_SUCCESS);
    },
  },
  'IRP-NO-STACK-LOCATION': {
    breaks: ({ k }) => {
      const { WskSocket, socket } = client(k);
      const Irp = irp(k, done, 0);
      WskSocket(...socket, Irp); // breaks IRP-NO-STACK-LOCATION
    },
    twin: ({ k }) => {
      const { WskSocket, socket } = client(k);
      const Irp = irp(k, done, 1);
      expect(WskSocket(...socket, Irp)).toBe(STATUS_SUCCESS);
    },
  },
  'IRP-CANCEL-LOCK-NOT-RELEASED': {
    // Reported by IoCancelIrp once the cancel routine returned: the site is IoCancelIrp.
    breaks: ({ k }) => {
      const Irp = queued(k, (_device, irp) => {
        irp.IoStatus.Status = STATUS_CANCELLED;
      });
      k.IoCancelIrp(Irp); // breaks IRP-CANCEL-LOCK-NOT-RELEASED
    },
    twin: ({ k }) => {
      const Irp = queued(k, (_device, irp) => {
        k.IoReleaseCancelSpinLock(irp.CancelIrql);
        irp.IoStatus.Status = STATUS_CANCELLED;
        k.IoCompleteRequest(irp, IO_NO_INCREMENT);
      });
      expect(k.IoCancelIrp(Irp)).toBe(true);
      k.IoFreeIrp(Irp);
    },
  },
  'CANCEL-SPINLOCK-NOT-HELD': {
    breaks: ({ k }) => {
      const Irp = queued(k, (_device, irp) => {
        k.IoReleaseCancelSpinLock(irp.CancelIrql);
        irp.IoStatus.Status = STATUS_CANCELLED;
        k.IoReleaseCancelSpinLock(irp.CancelIrql); // breaks CANCEL-SPINLOCK-NOT-HELD
        k.IoCompleteRequest(irp, IO_NO_INCREMENT);
      });
      k.IoCancelIrp(Irp);
    },
    twin: ({ k }) => {
      const Irp = queued(k, (_device, irp) => {
        k.IoReleaseCancelSpinLock(irp.CancelIrql);
        irp.IoStatus.Status = STATUS_CANCELLED;
        k.IoCompleteRequest(irp, IO_NO_INCREMENT);
      });
      expect(k.IoCancelIrp(Irp)).toBe(true);
    },
  },

  // ---- MDLs ----------------------------------------------------------------------------------
  'MDL-BAD-LENGTH': {
    breaks: ({ k }) => {
      const Buffer = new Uint8Array(64);
      k.IoAllocateMdl(Buffer, Buffer.length + 1, false, false, null); // breaks MDL-BAD-LENGTH
    },
    twin: ({ k }) => {
      const Buffer = new Uint8Array(64);
      const Mdl = k.IoAllocateMdl(Buffer, Buffer.length, false, false, null) as MDL;
      expect(k.MmGetMdlByteCount(Mdl)).toBe(64);
      k.IoFreeMdl(Mdl);
    },
  },
  'MDL-FREED-TWICE': {
    breaks: ({ k }) => {
      const Mdl = k.IoAllocateMdl(new Uint8Array(8), 8, false, false, null) as MDL;
      k.IoFreeMdl(Mdl);
      k.IoFreeMdl(Mdl); // breaks MDL-FREED-TWICE
    },
    twin: ({ k }) => {
      const Mdl = k.IoAllocateMdl(new Uint8Array(8), 8, false, false, null) as MDL;
      k.IoFreeMdl(Mdl);
    },
  },
  'MDL-USE-AFTER-FREE': {
    breaks: ({ k }) => {
      const Mdl = k.IoAllocateMdl(new Uint8Array(8), 8, false, false, null) as MDL;
      k.IoFreeMdl(Mdl);
      k.MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority); // breaks MDL-USE-AFTER-FREE
    },
    twin: ({ k }) => {
      const Mdl = k.IoAllocateMdl(new Uint8Array(8), 8, false, false, null) as MDL;
      k.MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority)?.fill(1);
      k.IoFreeMdl(Mdl);
    },
  },

  // ---- pool ----------------------------------------------------------------------------------
  'POOL-USE-AFTER-FREE': {
    breaks: ({ k }) => {
      const Block = k.ExAllocatePoolWithTag(NonPagedPool, 16, 'Tst1') as { count?: number };
      Block.count = 1;
      k.ExFreePoolWithTag(Block, 'Tst1');
      Block.count += 1; // breaks POOL-USE-AFTER-FREE
    },
    twin: ({ k }) => {
      const Block = k.ExAllocatePoolWithTag(NonPagedPool, 16, 'Tst1') as { count?: number };
      Block.count = 1;
      Block.count += 1;
      k.ExFreePoolWithTag(Block, 'Tst1');
    },
  },
  'POOL-DOUBLE-FREE': {
    breaks: ({ k }) => {
      const Block = k.ExAllocatePoolWithTag(NonPagedPool, 16, 'Tst1') as object;
      k.ExFreePoolWithTag(Block, 'Tst1');
      k.ExFreePoolWithTag(Block, 'Tst1'); // breaks POOL-DOUBLE-FREE
    },
    twin: ({ k }) => {
      const Block = k.ExAllocatePoolWithTag(NonPagedPool, 16, 'Tst1') as object;
      k.ExFreePoolWithTag(Block, 'Tst1');
    },
  },
  'POOL-TAG-MISMATCH': {
    breaks: ({ k }) => {
      const Block = k.ExAllocatePoolWithTag(NonPagedPool, 16, 'Tst1') as object;
      k.ExFreePoolWithTag(Block, 'Tst2'); // breaks POOL-TAG-MISMATCH
    },
    twin: ({ k }) => {
      const Block = k.ExAllocatePoolWithTag(NonPagedPool, 16, 'Tst1') as object;
      k.ExFreePoolWithTag(Block, 'Tst1');
    },
  },
  'POOL-FREE-FOREIGN': {
    breaks: ({ k }) => {
      const Block = { count: 0 };
      k.ExFreePoolWithTag(Block, 'Tst1'); // breaks POOL-FREE-FOREIGN
    },
    twin: ({ k }) => {
      const Block = k.ExAllocatePoolWithTag(NonPagedPool, 16, 'Tst1') as object;
      k.ExFreePoolWithTag(Block, 'Tst1');
    },
  },
  'POOL-PAGED-AT-DISPATCH': {
    breaks: ({ k }) => {
      const Lock = spinLock(k);
      const Old = oldIrql();
      const Block = k.ExAllocatePoolWithTag(PagedPool, 16, 'Tst1') as { count?: number };
      k.KeAcquireSpinLock(Lock, Old);
      Block.count = 1; // breaks POOL-PAGED-AT-DISPATCH
      k.KeReleaseSpinLock(Lock, Old.value);
      k.ExFreePoolWithTag(Block, 'Tst1');
    },
    twin: ({ k }) => {
      const Lock = spinLock(k);
      const Old = oldIrql();
      const Block = k.ExAllocatePoolWithTag(NonPagedPool, 16, 'Tst1') as { count?: number };
      k.KeAcquireSpinLock(Lock, Old);
      Block.count = 1;
      k.KeReleaseSpinLock(Lock, Old.value);
      k.ExFreePoolWithTag(Block, 'Tst1');
    },
  },

  // ---- IRQL ----------------------------------------------------------------------------------
  'IRQL-TOO-HIGH': {
    breaks: ({ k }) => {
      const Old = oldIrql();
      k.KeRaiseIrql(DISPATCH_LEVEL, Old);
      k.ExAllocatePoolWithTag(PagedPool, 16, 'Tst1'); // breaks IRQL-TOO-HIGH
      k.KeLowerIrql(Old.value);
    },
    twin: ({ k }) => {
      const Old = oldIrql();
      k.KeRaiseIrql(DISPATCH_LEVEL, Old);
      const Block = k.ExAllocatePoolWithTag(NonPagedPool, 16, 'Tst1') as object;
      k.KeLowerIrql(Old.value);
      k.ExFreePoolWithTag(Block, 'Tst1');
    },
  },
  'IRQL-RAISE-LOWER': {
    breaks: ({ k }) => {
      const Old = oldIrql();
      k.KeRaiseIrql(DISPATCH_LEVEL, Old);
      k.KeRaiseIrql(Old.value, oldIrql()); // breaks IRQL-RAISE-LOWER
    },
    twin: ({ k }) => {
      const Old = oldIrql();
      k.KeRaiseIrql(DISPATCH_LEVEL, Old);
      k.KeLowerIrql(Old.value);
    },
  },
  'IRQL-LOWER-RAISE': {
    breaks: ({ k }) => {
      k.KeLowerIrql(DISPATCH_LEVEL); // breaks IRQL-LOWER-RAISE
    },
    twin: ({ k }) => {
      const Old = oldIrql();
      k.KeRaiseIrql(DISPATCH_LEVEL, Old);
      k.KeLowerIrql(Old.value);
    },
  },
  'IRQL-NOT-RESTORED': {
    // The routine runs at PASSIVE_LEVEL (by choice) and raises without lowering. Reported after
    // it returned: the site is the call that ran it inline.
    options: { passiveCallbacks: 1 },
    breaks: ({ k }) => {
      const { WskSocket, socket } = client(k);
      const Irp = irp(k, () => {
        k.KeRaiseIrql(DISPATCH_LEVEL, oldIrql());
        return STATUS_MORE_PROCESSING_REQUIRED;
      });
      WskSocket(...socket, Irp); // breaks IRQL-NOT-RESTORED
    },
    twin: ({ k }) => {
      const { WskSocket, socket } = client(k);
      const Irp = irp(k, () => {
        const Old = oldIrql();
        k.KeRaiseIrql(DISPATCH_LEVEL, Old);
        k.KeLowerIrql(Old.value);
        return STATUS_MORE_PROCESSING_REQUIRED;
      });
      expect(WskSocket(...socket, Irp)).toBe(STATUS_SUCCESS);
    },
  },
  'IRQL-NOT-DISPATCH': {
    breaks: ({ k }) => {
      const Lock = spinLock(k);
      k.KeAcquireSpinLockAtDpcLevel(Lock); // breaks IRQL-NOT-DISPATCH
    },
    twin: ({ k }) => {
      const Lock = spinLock(k);
      const Old = oldIrql();
      k.KeRaiseIrql(DISPATCH_LEVEL, Old);
      k.KeAcquireSpinLockAtDpcLevel(Lock);
      k.KeReleaseSpinLockFromDpcLevel(Lock);
      k.KeLowerIrql(Old.value);
    },
  },

  // ---- spin locks ----------------------------------------------------------------------------
  'SPINLOCK-RECURSIVE-ACQUIRE': {
    breaks: ({ k }) => {
      const Lock = spinLock(k);
      const Old = oldIrql();
      k.KeAcquireSpinLock(Lock, Old);
      k.KeAcquireSpinLock(Lock, oldIrql()); // breaks SPINLOCK-RECURSIVE-ACQUIRE
    },
    twin: ({ k }) => {
      const Lock = spinLock(k);
      const Old = oldIrql();
      k.KeAcquireSpinLock(Lock, Old);
      k.KeReleaseSpinLock(Lock, Old.value);
      k.KeAcquireSpinLock(Lock, Old);
      k.KeReleaseSpinLock(Lock, Old.value);
    },
  },
  'SPINLOCK-RELEASE-NOT-HELD': {
    breaks: ({ k }) => {
      const Lock = spinLock(k);
      k.KeReleaseSpinLock(Lock, PASSIVE_LEVEL); // breaks SPINLOCK-RELEASE-NOT-HELD
    },
    twin: ({ k }) => {
      const Lock = spinLock(k);
      const Old = oldIrql();
      k.KeAcquireSpinLock(Lock, Old);
      k.KeReleaseSpinLock(Lock, Old.value);
    },
  },
  'SPINLOCK-RELEASE-NOT-OWNER': {
    // Taken in DriverEntry's thread, released by the completion routine the WSK call runs inline.
    breaks: ({ sim, k }) => {
      const { WskSocket, socket } = client(k);
      const Lock = spinLock(k);
      const Irp = irp(k, () => {
        k.KeReleaseSpinLockFromDpcLevel(Lock); // breaks SPINLOCK-RELEASE-NOT-OWNER
        return STATUS_MORE_PROCESSING_REQUIRED;
      });
      sim.load('h', () => {
        k.KeAcquireSpinLock(Lock, oldIrql());
        WskSocket(...socket, Irp);
      });
    },
    twin: ({ sim, k }) => {
      const { WskSocket, socket } = client(k);
      const Lock = spinLock(k);
      const Irp = irp(k);
      sim.load('h', () => {
        const Old = oldIrql();
        k.KeAcquireSpinLock(Lock, Old);
        expect(WskSocket(...socket, Irp)).toBe(STATUS_SUCCESS);
        k.KeReleaseSpinLock(Lock, Old.value);
      });
    },
  },
  'SPINLOCK-HELD-ON-RETURN': {
    // Reported after the routine returned: the site is the call that ran it inline.
    breaks: ({ k }) => {
      const { WskSocket, socket } = client(k);
      const Lock = spinLock(k);
      const Irp = irp(k, () => {
        k.KeAcquireSpinLockAtDpcLevel(Lock);
        return STATUS_MORE_PROCESSING_REQUIRED;
      });
      WskSocket(...socket, Irp); // breaks SPINLOCK-HELD-ON-RETURN
    },
    twin: ({ k }) => {
      const { WskSocket, socket } = client(k);
      const Lock = spinLock(k);
      const Irp = irp(k, () => {
        k.KeAcquireSpinLockAtDpcLevel(Lock);
        k.KeReleaseSpinLockFromDpcLevel(Lock);
        return STATUS_MORE_PROCESSING_REQUIRED;
      });
      expect(WskSocket(...socket, Irp)).toBe(STATUS_SUCCESS);
    },
  },
  'SPINLOCK-HELD-ACROSS-WAIT': {
    breaks: ({ sim, k }) => {
      const Lock = spinLock(k);
      const Event = event(k);
      sim.load('h', async () => {
        const Old = oldIrql();
        k.KeAcquireSpinLock(Lock, Old);
        await k.KeWaitForSingleObject(Event, ...WAIT, ms(10)); // breaks SPINLOCK-HELD-ACROSS-WAIT
        k.KeReleaseSpinLock(Lock, Old.value);
      });
    },
    twin: ({ sim, k }) => {
      const Lock = spinLock(k);
      const Event = event(k);
      sim.load('h', async () => {
        const Old = oldIrql();
        k.KeAcquireSpinLock(Lock, Old);
        k.KeReleaseSpinLock(Lock, Old.value);
        await k.KeWaitForSingleObject(Event, ...WAIT, ms(10));
      });
    },
  },

  // ---- waits, objects, threads ---------------------------------------------------------------
  'WAIT-OUTSIDE-THREAD': {
    // A completion routine run at PASSIVE_LEVEL (by choice) may not block all the same.
    options: { passiveCallbacks: 1 },
    breaks: ({ k }) => {
      const { WskSocket, socket } = client(k);
      const Event = event(k);
      const Irp = irp(k, () => {
        void k.KeWaitForSingleObject(Event, ...WAIT, ms(10)); // breaks WAIT-OUTSIDE-THREAD
        return STATUS_MORE_PROCESSING_REQUIRED;
      });
      WskSocket(...socket, Irp);
    },
    twin: ({ sim, k }) => {
      const { WskSocket, socket } = client(k);
      const Event = event(k);
      const Irp = irp(k, () => {
        k.KeSetEvent(Event, IO_NO_INCREMENT, false);
        return STATUS_MORE_PROCESSING_REQUIRED;
      });
      sim.load('h', async () => {
        WskSocket(...socket, Irp);
        await k.KeWaitForSingleObject(Event, ...WAIT, ms(10));
      });
    },
  },
  'OBJECT-NOT-INITIALIZED': {
    breaks: ({ k }) => {
      const Event = new KEVENT();
      k.KeSetEvent(Event, IO_NO_INCREMENT, false); // breaks OBJECT-NOT-INITIALIZED
    },
    twin: ({ k }) => {
      const Event = new KEVENT();
      k.KeInitializeEvent(Event, NotificationEvent, false);
      k.KeSetEvent(Event, IO_NO_INCREMENT, false);
    },
  },
  'THREAD-TERMINATE-OUTSIDE-THREAD': {
    // A DPC (a timer's, at DISPATCH_LEVEL) is no system thread.
    breaks: ({ k }) => {
      const Timer = new KTIMER();
      const Dpc = new KDPC();
      k.KeInitializeTimer(Timer);
      k.KeInitializeDpc(Dpc, () => {
        k.PsTerminateSystemThread(STATUS_SUCCESS); // breaks THREAD-TERMINATE-OUTSIDE-THREAD
      }, null);
      k.KeSetTimer(Timer, ms(1), Dpc);
    },
    twin: ({ k }) => {
      const Thread: { value: HANDLE | null } = { value: null };
      k.PsCreateSystemThread(Thread, 0, null, null, null, async () => {
        return void k.PsTerminateSystemThread(STATUS_SUCCESS);
      }, null);
    },
  },

  // ---- work items ----------------------------------------------------------------------------
  'WORKITEM-QUEUED-TWICE': {
    breaks: ({ k }) => {
      const Item = k.IoAllocateWorkItem(null) as IO_WORKITEM;
      k.IoQueueWorkItem(Item, idle, DelayedWorkQueue, null);
      k.IoQueueWorkItem(Item, idle, DelayedWorkQueue, null); // breaks WORKITEM-QUEUED-TWICE
    },
    twin: ({ k }) => {
      const Item = k.IoAllocateWorkItem(null) as IO_WORKITEM;
      k.IoQueueWorkItem(Item, () => k.IoFreeWorkItem(Item), DelayedWorkQueue, null);
    },
  },
  'WORKITEM-FREED-WHILE-QUEUED': {
    breaks: ({ k }) => {
      const Item = k.IoAllocateWorkItem(null) as IO_WORKITEM;
      k.IoQueueWorkItem(Item, idle, DelayedWorkQueue, null);
      k.IoFreeWorkItem(Item); // breaks WORKITEM-FREED-WHILE-QUEUED
    },
    twin: ({ k }) => {
      const Item = k.IoAllocateWorkItem(null) as IO_WORKITEM;
      k.IoQueueWorkItem(Item, () => k.IoFreeWorkItem(Item), DelayedWorkQueue, null);
    },
  },
  'WORKITEM-FREED-TWICE': {
    breaks: ({ k }) => {
      const Item = k.IoAllocateWorkItem(null) as IO_WORKITEM;
      k.IoFreeWorkItem(Item);
      k.IoFreeWorkItem(Item); // breaks WORKITEM-FREED-TWICE
    },
    twin: ({ k }) => {
      const Item = k.IoAllocateWorkItem(null) as IO_WORKITEM;
      k.IoFreeWorkItem(Item);
    },
  },
  'WORKITEM-USE-AFTER-FREE': {
    breaks: ({ k }) => {
      const Item = k.IoAllocateWorkItem(null) as IO_WORKITEM;
      k.IoFreeWorkItem(Item);
      k.IoQueueWorkItem(Item, idle, DelayedWorkQueue, null); // breaks WORKITEM-USE-AFTER-FREE
    },
    twin: ({ k }) => {
      const Item = k.IoAllocateWorkItem(null) as IO_WORKITEM;
      k.IoQueueWorkItem(Item, () => k.IoFreeWorkItem(Item), DelayedWorkQueue, null);
    },
  },
};

// ---- the checks -------------------------------------------------------------------------------

/** The catalogue's ids this file covers: the kernel's, less the end-of-run ones. */
const PREFIXES = ['IRP-', 'CANCEL-', 'MDL-', 'POOL-', 'IRQL-', 'SPINLOCK-', 'WAIT-', 'OBJECT-'];
const MORE_PREFIXES = ['THREAD-', 'WORKITEM-'];
const END_OF_RUN = new Set(['IRP-LEAKED', 'IRP-NEVER-COMPLETED', 'POOL-LEAKED', 'WAIT-NEVER-SATISFIED']);
/** Rules tested elsewhere: the routines around WSK (issue 18) in verifier-kernel-routines.test.ts. */
const ELSEWHERE = new Set([
  'LIST-HEAD-NOT-INITIALIZED',
  'LIST-ENTRY-INSERTED-TWICE',
  'LIST-ENTRY-REMOVED-TWICE',
  'SLIST-ENTRY-PUSHED-TWICE',
  'RUNDOWN-RELEASE-NOT-ACQUIRED',
  'MUTEX-RELEASE-NOT-OWNER',
  'FAST-MUTEX-RECURSIVE-ACQUIRE',
  'FAST-MUTEX-RELEASE-NOT-OWNER',
  'LOOKASIDE-FREE-WRONG-LIST',
  'LOOKASIDE-FREE-TWICE',
  'LOOKASIDE-USE-AFTER-DELETE',
  'DEVICE-DELETED-TWICE',
  'DEVICE-USE-AFTER-DELETE',
  'POOL-FLAGS-INVALID',
  'WAIT-TOO-MANY-OBJECTS',
  // A C driver's store past its block (issue 19): test/cdriver/c-driver.test.ts has it; a
  // TypeScript pool block has no bytes around it to overrun.
  'POOL-OUT-OF-BOUNDS',
]);

describe('verifier: kernel rules, each broken by a minimal driver and kept by its twin', () => {
  for (const [rule, c] of Object.entries(CASES)) {
    describe(rule, () => {
      it('breaks: the violation names the rule and the line of the breaking call', async () => {
        const h = host(c.options);
        c.breaks(h);
        const outcome = await h.sim.run();
        const site = `${FILE}:${lineOf(rule)}`;
        expect(h.k.violations[0]).toMatchObject({ rule, site, host: 'h' });
        expect(outcome.status).toBe('failed');
        expect(outcome.failure?.kind).toBe('violation');
        expect(outcome.failure?.details).toMatchObject({ rule, site });
        expect(outcome.failure?.message.startsWith(`${rule}: `)).toBe(true);
      });

      it('twin: the same driver done right reports nothing', async () => {
        const h = host(c.options);
        c.twin(h);
        const outcome = await h.sim.run();
        expect(h.k.violations).toEqual([]);
        expect(outcome.failure).toBeUndefined();
        expect(outcome.status).toBe('quiescent');
      });
    });
  }

  it('covers exactly the catalogue rules of the kernel, less the end-of-run ones', () => {
    const prefixes = [...PREFIXES, ...MORE_PREFIXES];
    const kernelRules = [...RULES.keys()].filter(
      (id) =>
        prefixes.some((prefix) => id.startsWith(prefix)) && !END_OF_RUN.has(id) && !ELSEWHERE.has(id),
    );
    expect(Object.keys(CASES).sort()).toEqual(kernelRules.sort());
    for (const rule of kernelRules) expect(lineOf(rule)).toBeGreaterThan(0);
  });
});
