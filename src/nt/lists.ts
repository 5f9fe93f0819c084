/**
 * Doubly linked lists (WDK reference pages "InitializeListHead function (wdm.h)",
 * "IsListEmpty function (wdm.h)", "InsertHeadList function (wdm.h)", "InsertTailList function
 * (wdm.h)", "RemoveHeadList function (wdm.h)", "RemoveTailList function (wdm.h)",
 * "RemoveEntryList function (wdm.h)", "CONTAINING_RECORD macro (ntdef.h)"). In C these are inline
 * functions; here they are kernel routines, so the verifier sees them.
 *
 * A LIST_ENTRY is an object with Flink and Blink, linked exactly as wdm.h links them: a head
 * points at itself when empty, RemoveHeadList / RemoveTailList return the head itself on an
 * empty list (as their pages say), RemoveEntryList returns TRUE when the list is empty after the
 * removal, and a removed entry keeps its stale links. The checks Windows' list routines make
 * (a corrupt link is a fast fail, Bug Check 0x139: KERNEL_SECURITY_CHECK_FAILURE) are made by
 * what they catch: an entry removed when it is on no list (removed twice, or never inserted) is
 * LIST-ENTRY-REMOVED-TWICE, an entry inserted while on a list LIST-ENTRY-INSERTED-TWICE, a head
 * used before InitializeListHead (or InitializeSListHead, slists.ts) LIST-HEAD-NOT-INITIALIZED.
 *
 * CONTAINING_RECORD(Address, Type, Field) returns the structure whose Field is the entry
 * `Address`: `CONTAINING_RECORD(Entry, CONN, 'Link')` with a class, or
 * `CONTAINING_RECORD<CONN>(Entry, 'CONN', 'Link')` with an interface (its name as a string).
 * The structure is known to the entry when it was assigned as a field of a pool block
 * (`Conn.Link = new LIST_ENTRY()` on what ExAllocatePool2 returned) or given to the entry's
 * constructor (`Link = new LIST_ENTRY(this)` in a class). One that is not, or whose Field is not
 * this entry, is a driver crash (a TypeError), as C would compute a wild pointer.
 */
import type { KernelCore } from './kernel-core.ts';

/** What LIST_ENTRY and SLIST_ENTRY share: the structure they are in, for CONTAINING_RECORD. */
export class ListLink {
  /** @internal the structure this entry is a field of, when known */ container: object | null;
  /** @internal on a list now */ linked = false;
  /** @internal was on a list once */ removed = false;
  /** @internal initialised as a list head */ head = false;
  constructor(Container: object | null = null) {
    this.container = Container;
  }
}

export class LIST_ENTRY extends ListLink {
  Flink: LIST_ENTRY | null = null;
  Blink: LIST_ENTRY | null = null;
}
export type PLIST_ENTRY = LIST_ENTRY;

/**
 * The structure whose `Field` is `Address` (ntdef.h CONTAINING_RECORD): `Type` is the class, or
 * the type's name with the type given as the type argument.
 */
export function CONTAINING_RECORD<T extends object>(
  Address: ListLink,
  Type: string | (abstract new (...args: never[]) => T),
  Field: string,
): T {
  const name = typeof Type === 'string' ? Type : Type.name;
  const container = Address.container as Record<string, unknown> | null;
  if (container === null) {
    throw new TypeError(
      `CONTAINING_RECORD(${name}, ${Field}): the entry is no field of a known structure ` +
        `(assign it to a pool block's field, or pass the structure to its constructor)`,
    );
  }
  if (container[Field] !== Address) {
    throw new TypeError(`CONTAINING_RECORD: the entry is not the ${Field} field of its ${name}`);
  }
  if (typeof Type !== 'string' && !(container instanceof Type)) {
    throw new TypeError(`CONTAINING_RECORD: the entry's structure is not a ${name}`);
  }
  return container as T;
}

export class ListManager {
  readonly #k: KernelCore;

  constructor(kernel: KernelCore) {
    this.#k = kernel;
  }

  InitializeListHead(ListHead: LIST_ENTRY): void {
    ListHead.Flink = ListHead;
    ListHead.Blink = ListHead;
    ListHead.head = true;
  }

  IsListEmpty(ListHead: LIST_ENTRY): boolean {
    if (!this.#isHead(ListHead, 'IsListEmpty')) return true;
    return ListHead.Flink === ListHead;
  }

  InsertHeadList(ListHead: LIST_ENTRY, Entry: LIST_ENTRY): void {
    if (!this.#isHead(ListHead, 'InsertHeadList') || !this.#free(Entry, 'InsertHeadList')) return;
    this.#link(Entry, ListHead, ListHead.Flink as LIST_ENTRY);
  }

  InsertTailList(ListHead: LIST_ENTRY, Entry: LIST_ENTRY): void {
    if (!this.#isHead(ListHead, 'InsertTailList') || !this.#free(Entry, 'InsertTailList')) return;
    this.#link(Entry, ListHead.Blink as LIST_ENTRY, ListHead);
  }

  RemoveHeadList(ListHead: LIST_ENTRY): LIST_ENTRY {
    if (!this.#isHead(ListHead, 'RemoveHeadList')) return ListHead;
    const Entry = ListHead.Flink as LIST_ENTRY;
    if (Entry !== ListHead) this.#unlink(Entry);
    return Entry;
  }

  RemoveTailList(ListHead: LIST_ENTRY): LIST_ENTRY {
    if (!this.#isHead(ListHead, 'RemoveTailList')) return ListHead;
    const Entry = ListHead.Blink as LIST_ENTRY;
    if (Entry !== ListHead) this.#unlink(Entry);
    return Entry;
  }

  /** TRUE if the list is empty after the removal (wdm.h). */
  RemoveEntryList(Entry: LIST_ENTRY): boolean {
    if (!Entry.linked) {
      const what = Entry.removed ? 'an entry already removed' : 'an entry never inserted';
      this.#k.violation('LIST-ENTRY-REMOVED-TWICE', `RemoveEntryList of ${what}`);
      return false;
    }
    const Flink = Entry.Flink;
    const Blink = Entry.Blink;
    this.#unlink(Entry);
    return Flink === Blink;
  }

  #link(Entry: LIST_ENTRY, Blink: LIST_ENTRY, Flink: LIST_ENTRY): void {
    Entry.Flink = Flink;
    Entry.Blink = Blink;
    Blink.Flink = Entry;
    Flink.Blink = Entry;
    Entry.linked = true;
  }

  #unlink(Entry: LIST_ENTRY): void {
    const Flink = Entry.Flink as LIST_ENTRY;
    const Blink = Entry.Blink as LIST_ENTRY;
    Blink.Flink = Flink;
    Flink.Blink = Blink;
    Entry.linked = false;
    Entry.removed = true;
  }

  #isHead(ListHead: LIST_ENTRY, routine: string): boolean {
    if (ListHead.head) return true;
    this.#k.violation('LIST-HEAD-NOT-INITIALIZED', `${routine} on a head never initialised`);
    return false;
  }

  #free(Entry: LIST_ENTRY, routine: string): boolean {
    if (!Entry.linked) return true;
    this.#k.violation('LIST-ENTRY-INSERTED-TWICE', `${routine} of an entry already on a list`);
    return false;
  }
}
