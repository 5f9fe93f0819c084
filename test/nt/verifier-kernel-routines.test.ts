/**
 * The verifier's rules for the kernel routines drivers call around WSK (issue 18: lists, SLISTs,
 * rundown protection, mutexes and fast mutexes, lookaside lists, device objects, ExAllocatePool2,
 * KeWaitForMultipleObjects), one case per rule, as test/nt/verifier-kernel.test.ts does: a minimal
 * driver that breaks it, asserting the rule id and the reported file:line (the line ending in
 * `// breaks <RULE-ID>`), and its correct twin, which reports nothing and ends quiescent.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/simulation.ts';
import {
  CONTAINING_RECORD,
  DEVICE_OBJECT,
  EX_RUNDOWN_REF,
  Executive,
  FAST_MUTEX,
  FILE_DEVICE_UNKNOWN,
  KEVENT,
  KMUTEX,
  KWAIT_BLOCK,
  Kernel,
  KernelMode,
  LIST_ENTRY,
  NPAGED_LOOKASIDE_LIST,
  NotificationEvent,
  POOL_FLAG_NON_PAGED,
  POOL_FLAG_PAGED,
  SLIST_ENTRY,
  SLIST_HEADER,
  STATUS_SUCCESS,
  WaitAny,
  NT_RULES,
  type DispatcherObject,
  type KernelOptions,
} from '../../src/wsk/index.ts';
import { markers } from '../support/markers.ts';

const { file: FILE, lineOf } = markers(import.meta.url);

interface Host {
  readonly sim: Simulation;
  readonly k: Kernel;
}

function host(options: KernelOptions = {}): Host {
  const sim = new Simulation({ seed: 1 });
  sim.addHost({ name: 'h', ipv4: '10.0.0.1' });
  return { sim, k: sim.kernel('h', { pendingCompletions: 0, ...options }) };
}

/** A driver's list element: a class whose Link knows its structure. */
class CONN {
  Link = new LIST_ENTRY(this);
  Id = 0;
}

function head(k: Kernel): LIST_ENTRY {
  const Head = new LIST_ENTRY();
  k.InitializeListHead(Head);
  return Head;
}

function lookaside(k: Kernel, Tag = 'Look'): NPAGED_LOOKASIDE_LIST {
  const List = new NPAGED_LOOKASIDE_LIST();
  k.ExInitializeNPagedLookasideList(List, null, null, 0, 64, Tag, 0);
  return List;
}

function device(k: Kernel): DEVICE_OBJECT {
  const Device = { value: null as DEVICE_OBJECT | null };
  expect(k.IoCreateDevice(null, 0, null, FILE_DEVICE_UNKNOWN, 0, false, Device)).toBe(
    STATUS_SUCCESS,
  );
  return Device.value as DEVICE_OBJECT;
}

function events(k: Kernel, n: number): KEVENT[] {
  return Array.from({ length: n }, () => {
    const Event = new KEVENT();
    k.KeInitializeEvent(Event, NotificationEvent, true);
    return Event;
  });
}

const WAIT = [Executive, KernelMode, false] as const;

interface Case {
  readonly options?: KernelOptions;
  readonly breaks: (h: Host) => void;
  readonly twin: (h: Host) => void;
}

const CASES: Record<string, Case> = {
  'LIST-HEAD-NOT-INITIALIZED': {
    breaks: ({ k }) => {
      const Head = new LIST_ENTRY();
      k.InsertTailList(Head, new CONN().Link); // breaks LIST-HEAD-NOT-INITIALIZED
    },
    twin: ({ k }) => {
      const Head = head(k);
      k.InsertTailList(Head, new CONN().Link);
    },
  },
  'LIST-ENTRY-INSERTED-TWICE': {
    breaks: ({ k }) => {
      const Head = head(k);
      const Conn = new CONN();
      k.InsertTailList(Head, Conn.Link);
      k.InsertHeadList(Head, Conn.Link); // breaks LIST-ENTRY-INSERTED-TWICE
    },
    twin: ({ k }) => {
      const Head = head(k);
      const Conn = new CONN();
      k.InsertTailList(Head, Conn.Link);
      k.RemoveEntryList(Conn.Link);
      k.InsertHeadList(Head, Conn.Link);
    },
  },
  'LIST-ENTRY-REMOVED-TWICE': {
    breaks: ({ k }) => {
      const Head = head(k);
      const Conn = new CONN();
      k.InsertTailList(Head, Conn.Link);
      k.RemoveEntryList(Conn.Link);
      k.RemoveEntryList(Conn.Link); // breaks LIST-ENTRY-REMOVED-TWICE
    },
    twin: ({ k }) => {
      const Head = head(k);
      const Conn = new CONN();
      k.InsertTailList(Head, Conn.Link);
      const Entry = k.RemoveHeadList(Head);
      expect(CONTAINING_RECORD(Entry, CONN, 'Link')).toBe(Conn);
    },
  },
  'SLIST-ENTRY-PUSHED-TWICE': {
    breaks: ({ k }) => {
      const Head = new SLIST_HEADER();
      const Entry = new SLIST_ENTRY();
      k.InitializeSListHead(Head);
      k.InterlockedPushEntrySList(Head, Entry);
      k.ExInterlockedPushEntrySList(Head, Entry, null); // breaks SLIST-ENTRY-PUSHED-TWICE
    },
    twin: ({ k }) => {
      const Head = new SLIST_HEADER();
      const Entry = new SLIST_ENTRY();
      k.InitializeSListHead(Head);
      k.InterlockedPushEntrySList(Head, Entry);
      expect(k.ExInterlockedPopEntrySList(Head, null)).toBe(Entry);
      k.ExInterlockedPushEntrySList(Head, Entry, null);
    },
  },
  'RUNDOWN-RELEASE-NOT-ACQUIRED': {
    breaks: ({ k }) => {
      const Ref = new EX_RUNDOWN_REF();
      k.ExInitializeRundownProtection(Ref);
      if (k.ExAcquireRundownProtection(Ref)) k.ExReleaseRundownProtection(Ref);
      k.ExReleaseRundownProtection(Ref); // breaks RUNDOWN-RELEASE-NOT-ACQUIRED
    },
    twin: ({ k }) => {
      const Ref = new EX_RUNDOWN_REF();
      k.ExInitializeRundownProtection(Ref);
      if (k.ExAcquireRundownProtection(Ref)) k.ExReleaseRundownProtection(Ref);
    },
  },
  'MUTEX-RELEASE-NOT-OWNER': {
    breaks: ({ sim, k }) => {
      const Mutex = new KMUTEX();
      k.KeInitializeMutex(Mutex, 0);
      sim.load('h', async () => {
        await k.KeWaitForSingleObject(Mutex, ...WAIT, null);
        sim.load('h', () => {
          k.KeReleaseMutex(Mutex, false); // breaks MUTEX-RELEASE-NOT-OWNER
        });
      });
    },
    twin: ({ sim, k }) => {
      const Mutex = new KMUTEX();
      k.KeInitializeMutex(Mutex, 0);
      sim.load('h', async () => {
        await k.KeWaitForSingleObject(Mutex, ...WAIT, null);
        k.KeReleaseMutex(Mutex, false);
      });
    },
  },
  'FAST-MUTEX-RECURSIVE-ACQUIRE': {
    breaks: ({ sim, k }) => {
      const Mutex = new FAST_MUTEX();
      k.ExInitializeFastMutex(Mutex);
      sim.load('h', async () => {
        await k.ExAcquireFastMutex(Mutex);
        await k.ExAcquireFastMutex(Mutex); // breaks FAST-MUTEX-RECURSIVE-ACQUIRE
      });
    },
    twin: ({ sim, k }) => {
      const Mutex = new FAST_MUTEX();
      k.ExInitializeFastMutex(Mutex);
      sim.load('h', async () => {
        await k.ExAcquireFastMutex(Mutex);
        k.ExReleaseFastMutex(Mutex);
        await k.ExAcquireFastMutex(Mutex);
        k.ExReleaseFastMutex(Mutex);
      });
    },
  },
  'FAST-MUTEX-RELEASE-NOT-OWNER': {
    breaks: ({ sim, k }) => {
      const Mutex = new FAST_MUTEX();
      k.ExInitializeFastMutex(Mutex);
      sim.load('h', () => {
        k.ExReleaseFastMutex(Mutex); // breaks FAST-MUTEX-RELEASE-NOT-OWNER
      });
    },
    twin: ({ sim, k }) => {
      const Mutex = new FAST_MUTEX();
      k.ExInitializeFastMutex(Mutex);
      sim.load('h', () => {
        if (k.ExTryToAcquireFastMutex(Mutex)) k.ExReleaseFastMutex(Mutex);
      });
    },
  },
  'LOOKASIDE-FREE-WRONG-LIST': {
    breaks: ({ k }) => {
      const A = lookaside(k, 'LkaA');
      const B = lookaside(k, 'LkaB');
      const Entry = k.ExAllocateFromNPagedLookasideList(A) as object;
      k.ExFreeToNPagedLookasideList(B, Entry); // breaks LOOKASIDE-FREE-WRONG-LIST
    },
    twin: ({ k }) => {
      const A = lookaside(k, 'LkaA');
      const B = lookaside(k, 'LkaB');
      const Entry = k.ExAllocateFromNPagedLookasideList(A) as object;
      k.ExFreeToNPagedLookasideList(A, Entry);
      k.ExDeleteNPagedLookasideList(A);
      k.ExDeleteNPagedLookasideList(B);
    },
  },
  'LOOKASIDE-FREE-TWICE': {
    breaks: ({ k }) => {
      const List = lookaside(k);
      const Entry = k.ExAllocateFromNPagedLookasideList(List) as object;
      k.ExFreeToNPagedLookasideList(List, Entry);
      k.ExFreeToNPagedLookasideList(List, Entry); // breaks LOOKASIDE-FREE-TWICE
    },
    twin: ({ k }) => {
      const List = lookaside(k);
      const Entry = k.ExAllocateFromNPagedLookasideList(List) as object;
      k.ExFreeToNPagedLookasideList(List, Entry);
      k.ExDeleteNPagedLookasideList(List);
    },
  },
  'LOOKASIDE-USE-AFTER-DELETE': {
    breaks: ({ k }) => {
      const List = lookaside(k);
      k.ExDeleteNPagedLookasideList(List);
      k.ExAllocateFromNPagedLookasideList(List); // breaks LOOKASIDE-USE-AFTER-DELETE
    },
    twin: ({ k }) => {
      const List = lookaside(k);
      k.ExDeleteNPagedLookasideList(List);
    },
  },
  'DEVICE-DELETED-TWICE': {
    breaks: ({ sim, k }) => {
      sim.load('h', () => {
        const Device = device(k);
        k.IoDeleteDevice(Device);
        k.IoDeleteDevice(Device); // breaks DEVICE-DELETED-TWICE
      });
    },
    twin: ({ sim, k }) => {
      sim.load('h', () => k.IoDeleteDevice(device(k)));
    },
  },
  'DEVICE-USE-AFTER-DELETE': {
    breaks: ({ sim, k }) => {
      sim.load('h', () => {
        const Device = device(k);
        k.IoDeleteDevice(Device);
        k.IoAllocateWorkItem(Device); // breaks DEVICE-USE-AFTER-DELETE
      });
    },
    twin: ({ sim, k }) => {
      sim.load('h', () => {
        const Device = device(k);
        const Item = k.IoAllocateWorkItem(Device);
        if (Item !== null) k.IoFreeWorkItem(Item);
        k.IoDeleteDevice(Device);
      });
    },
  },
  'POOL-FLAGS-INVALID': {
    breaks: ({ k }) => {
      k.ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_PAGED, 16, 'Flag'); // breaks POOL-FLAGS-INVALID
    },
    twin: ({ k }) => {
      const Block = k.ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 'Flag');
      if (Block !== null) k.ExFreePool(Block);
    },
  },
  'WAIT-TOO-MANY-OBJECTS': {
    breaks: ({ sim, k }) => {
      const Objects: DispatcherObject[] = events(k, 4);
      sim.load('h', async () => {
        await k.KeWaitForMultipleObjects(4, Objects, WaitAny, ...WAIT, null, null); // breaks WAIT-TOO-MANY-OBJECTS
      });
    },
    twin: ({ sim, k }) => {
      const Objects: DispatcherObject[] = events(k, 4);
      const Blocks = Array.from({ length: 4 }, () => new KWAIT_BLOCK());
      sim.load('h', async () => {
        await k.KeWaitForMultipleObjects(4, Objects, WaitAny, ...WAIT, null, Blocks);
      });
    },
  },
};

describe('verifier: the rules of the kernel routines around WSK, each with its twin', () => {
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

  it('covers the catalogue rules verifier-kernel.test.ts leaves to it', () => {
    const nt = [...NT_RULES.keys()];
    for (const rule of Object.keys(CASES)) expect(nt).toContain(rule);
    expect(Object.keys(CASES).length).toBe(15);
  });
});
