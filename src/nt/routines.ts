/**
 * How a kernel object carries its routines: each manager's routines are listed once, in a
 * table of names, from which both the kernel's type and its bound properties are made. A
 * driver destructures them as C code calls them (`const { IoAllocateIrp, KeSetEvent } = k;`),
 * so each reads as a function bound to its manager: defineRoutines binds one on a kernel's first
 * read of it.
 */

/** The routines `Names` of manager type `M`, as properties of the kernel. */
export type RoutinesOf<M, Names extends readonly (keyof M)[]> = {
  readonly [N in Names[number]]: M[N];
};

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (
  i: infer I,
) => void
  ? I
  : never;

/**
 * Every routine a table names (manager name → routine names), as properties of the kernel, with
 * each routine's type taken from its manager: the table is the one list of them.
 */
export type TableRoutines<Managers, Table extends { readonly [M in keyof Managers]: unknown }> =
  UnionToIntersection<
    {
      [M in keyof Managers]: Table[M] extends readonly (keyof Managers[M])[]
        ? RoutinesOf<Managers[M], Table[M]>
        : never;
    }[keyof Managers]
  >;

const OWN = { writable: true, enumerable: true, configurable: true } as const;

/** Where a kernel keeps the routines it has bound (defineRoutines), by slot. */
const BOUND = Symbol('bound routines');

type Holder = Record<string, Record<string, (...args: unknown[]) => unknown>> & {
  [BOUND]?: unknown[];
};

/** How many routines defineRoutines has defined: each has its own slot, 0 to this - 1. */
let slots = 0;

/**
 * Defines `names` of the manager kept at `manager` as routines of every kernel made by the class
 * whose `prototype` is given: a getter that, on a kernel's first read of a routine, binds the
 * manager's function and keeps it at the routine's slot in the kernel's own array, so later reads
 * and destructuring (`const { IoAllocateIrp } = k;`) see the same bound function. A kernel costs
 * nothing for the routines its driver never names (a fuzz campaign makes thousands of kernels),
 * and its shape stays the one its constructor made. An assignment (a test's stand-in) makes an own
 * property.
 */
export function defineRoutines(
  prototype: object,
  manager: string,
  names: readonly string[],
): void {
  for (const name of names) {
    const slot = slots++;
    Object.defineProperty(prototype, name, {
      configurable: true,
      enumerable: false,
      get(this: Holder) {
        // One array of every slot, filled, made on the kernel's first read: a read is an index
        // into it (a map by name grew through its rehashes on every kernel of a campaign).
        const bound = (this[BOUND] ??= new Array<unknown>(slots).fill(undefined));
        return bound[slot] ?? (bound[slot] = bindRoutine(this, manager, name));
      },
      set(this: object, value: unknown) {
        Object.defineProperty(this, name, { ...OWN, value });
      },
    });
  }
}

/** The kernel's manager's routine `name`, bound to the manager. */
function bindRoutine(kernel: Holder, manager: string, name: string): unknown {
  const owner = kernel[manager];
  const unbound = owner?.[name];
  if (unbound === undefined) throw new Error(`defineRoutines: no routine ${name}`);
  return unbound.bind(owner);
}
