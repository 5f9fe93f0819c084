/**
 * The SLIST routines a C driver imports (wdm.h), each the model's (src/nt/slists.ts) on the
 * SLIST_HEADER and SLIST_ENTRYs its C addresses stand for (slist-mirrors.ts), the C header (first
 * entry, depth) and the first entry's Next written after every call. The Ex* forms' Lock is
 * passed on, and the model ignores it (one processor: every call is atomic).
 */
import type { CDriver } from './c-driver.ts';
import type { Mirrors } from './mirrors.ts';
import type { SLIST_HEADER } from '../wsk/index.ts';

type Import = (...args: never[]) => number | void;

export function slistImports(d: CDriver, m: Mirrors): Record<string, Import> {
  const k = d.kernel;
  /** Runs `call` on the header at `address`, then writes the header back to C. */
  const onList = <T>(address: number, call: (header: SLIST_HEADER) => T): T => {
    const header = m.slists.header(address);
    const result = call(header);
    m.slists.sync(address, header);
    return result;
  };
  const lock = (address: number) => (address === 0 ? null : m.spinLock(address));
  return {
    InitializeSListHead: (SListHead: number): void =>
      onList(SListHead, (header) => k.InitializeSListHead(header)),
    InterlockedPushEntrySList: (ListHead: number, ListEntry: number): number =>
      m.slists.entryAddress(
        onList(ListHead, (h) => k.InterlockedPushEntrySList(h, m.slists.entry(ListEntry))),
      ),
    InterlockedPopEntrySList: (ListHead: number): number =>
      m.slists.entryAddress(onList(ListHead, (h) => k.InterlockedPopEntrySList(h))),
    InterlockedFlushSList: (ListHead: number): number =>
      m.slists.entryAddress(onList(ListHead, (h) => k.InterlockedFlushSList(h))),
    ExInterlockedPushEntrySList: (ListHead: number, ListEntry: number, Lock: number): number =>
      m.slists.entryAddress(
        onList(ListHead, (h) =>
          k.ExInterlockedPushEntrySList(h, m.slists.entry(ListEntry), lock(Lock)),
        ),
      ),
    ExInterlockedPopEntrySList: (ListHead: number, Lock: number): number =>
      m.slists.entryAddress(onList(ListHead, (h) => k.ExInterlockedPopEntrySList(h, lock(Lock)))),
    ExInterlockedFlushSList: (ListHead: number): number =>
      m.slists.entryAddress(onList(ListHead, (h) => k.ExInterlockedFlushSList(h))),
    ExQueryDepthSList: (SListHead: number): number =>
      onList(SListHead, (h) => k.ExQueryDepthSList(h)),
  };
}
