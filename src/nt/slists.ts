/**
 * Interlocked singly linked lists, SLISTs (WDK reference pages "InitializeSListHead function
 * (wdm.h)", "ExInterlockedPushEntrySList function (wdm.h)", "ExInterlockedPopEntrySList function
 * (wdm.h)", "ExInterlockedFlushSList function (wdm.h)", "InterlockedFlushSList function (wdm.h)",
 * "ExQueryDepthSList function (wdm.h)",
 * "InterlockedPushEntrySList function (wdm.h)", "InterlockedPopEntrySList function (wdm.h)").
 * A push returns the entry that was first before it (null when the list was empty), a pop the
 * entry taken (null when empty), a flush the first entry of the chain it takes (the entries stay
 * linked through Next); ExQueryDepthSList counts the entries. The Ex* forms take a spin lock,
 * accepted and ignored (one processor: every call is atomic). IRQL ≤ DISPATCH_LEVEL. Pushing an
 * entry already on an SLIST (a cycle in Windows) is SLIST-ENTRY-PUSHED-TWICE; a header used
 * before InitializeSListHead is LIST-HEAD-NOT-INITIALIZED. CONTAINING_RECORD (lists.ts) works on
 * an SLIST_ENTRY as on a LIST_ENTRY. Alignment (MEMORY_ALLOCATION_ALIGNMENT) is not modelled.
 *
 * The plain singly linked list ("PushEntryList function (wdm.h)", "PopEntryList function
 * (wdm.h)") links SINGLE_LIST_ENTRYs (the same structure) from a head that is one itself: its
 * Next is the first entry (NULL when empty; the head needs no initialisation). PushEntryList
 * returns nothing, PopEntryList the entry taken or null; pushing an entry already on a list is
 * SLIST-ENTRY-PUSHED-TWICE too.
 */
import { DISPATCH_LEVEL } from './irql.ts';
import type { KernelCore } from './kernel-core.ts';
import { ListLink } from './lists.ts';
import type { KSPIN_LOCK } from './spin-locks.ts';

export class SLIST_ENTRY extends ListLink {
  Next: SLIST_ENTRY | null = null;
}
export type PSLIST_ENTRY = SLIST_ENTRY;
/** SINGLE_LIST_ENTRY is the same structure (wdm.h). */
export { SLIST_ENTRY as SINGLE_LIST_ENTRY };

/** The header of an SLIST: opaque in wdm.h; its first entry and depth here. */
export class SLIST_HEADER {
  /** @internal */ first: SLIST_ENTRY | null = null;
  /** @internal */ depth = 0;
  /** @internal */ initialized = false;
}
export type PSLIST_HEADER = SLIST_HEADER;

export class SListManager {
  readonly #k: KernelCore;

  constructor(kernel: KernelCore) {
    this.#k = kernel;
  }

  InitializeSListHead(SListHead: SLIST_HEADER): void {
    SListHead.first = null;
    SListHead.depth = 0;
    SListHead.initialized = true;
  }

  ExInterlockedPushEntrySList(
    ListHead: SLIST_HEADER,
    ListEntry: SLIST_ENTRY,
    Lock: KSPIN_LOCK | null,
  ): SLIST_ENTRY | null {
    void Lock;
    return this.#push(ListHead, ListEntry, 'ExInterlockedPushEntrySList');
  }

  ExInterlockedPopEntrySList(ListHead: SLIST_HEADER, Lock: KSPIN_LOCK | null): SLIST_ENTRY | null {
    void Lock;
    return this.#pop(ListHead, 'ExInterlockedPopEntrySList');
  }

  InterlockedPushEntrySList(ListHead: SLIST_HEADER, ListEntry: SLIST_ENTRY): SLIST_ENTRY | null {
    return this.#push(ListHead, ListEntry, 'InterlockedPushEntrySList');
  }

  InterlockedPopEntrySList(ListHead: SLIST_HEADER): SLIST_ENTRY | null {
    return this.#pop(ListHead, 'InterlockedPopEntrySList');
  }

  ExInterlockedFlushSList(ListHead: SLIST_HEADER): SLIST_ENTRY | null {
    return this.#flush(ListHead, 'ExInterlockedFlushSList');
  }

  /** The same flush without the Ex form's name ("InterlockedFlushSList function (wdm.h)"). */
  InterlockedFlushSList(ListHead: SLIST_HEADER): SLIST_ENTRY | null {
    return this.#flush(ListHead, 'InterlockedFlushSList');
  }

  #flush(ListHead: SLIST_HEADER, routine: string): SLIST_ENTRY | null {
    if (!this.#usable(ListHead, routine)) return null;
    const first = ListHead.first;
    for (let entry = first; entry !== null; entry = entry.Next) {
      entry.linked = false;
      entry.removed = true;
    }
    ListHead.first = null;
    ListHead.depth = 0;
    return first;
  }

  PushEntryList(ListHead: SLIST_ENTRY, Entry: SLIST_ENTRY): void {
    if (Entry.linked) {
      this.#k.violation('SLIST-ENTRY-PUSHED-TWICE', 'PushEntryList of an entry already on a list');
      return;
    }
    Entry.Next = ListHead.Next;
    Entry.linked = true;
    ListHead.Next = Entry;
  }

  PopEntryList(ListHead: SLIST_ENTRY): SLIST_ENTRY | null {
    const entry = ListHead.Next;
    if (entry === null) return null;
    ListHead.Next = entry.Next;
    entry.linked = false;
    entry.removed = true;
    return entry;
  }

  ExQueryDepthSList(SListHead: SLIST_HEADER): number {
    return this.#usable(SListHead, 'ExQueryDepthSList') ? SListHead.depth : 0;
  }

  #push(ListHead: SLIST_HEADER, ListEntry: SLIST_ENTRY, routine: string): SLIST_ENTRY | null {
    if (!this.#usable(ListHead, routine)) return null;
    if (ListEntry.linked) {
      this.#k.violation('SLIST-ENTRY-PUSHED-TWICE', `${routine} of an entry already on an SLIST`);
      return null;
    }
    const previous = ListHead.first;
    ListEntry.Next = previous;
    ListEntry.linked = true;
    ListHead.first = ListEntry;
    ListHead.depth++;
    return previous;
  }

  #pop(ListHead: SLIST_HEADER, routine: string): SLIST_ENTRY | null {
    if (!this.#usable(ListHead, routine)) return null;
    const entry = ListHead.first;
    if (entry === null) return null;
    ListHead.first = entry.Next;
    ListHead.depth--;
    entry.linked = false;
    entry.removed = true;
    return entry;
  }

  #usable(ListHead: SLIST_HEADER, routine: string): boolean {
    if (!this.#k.requireIrql(routine, DISPATCH_LEVEL)) return false;
    if (ListHead.initialized) return true;
    const detail = `${routine} on an SLIST_HEADER never initialised`;
    this.#k.violation('LIST-HEAD-NOT-INITIALIZED', detail);
    return false;
  }
}
