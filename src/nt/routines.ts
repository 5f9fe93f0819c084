/**
 * How a kernel object carries its routines: each manager's routines are listed once, in a
 * table of names, from which both the kernel's type and its bound properties are made. A
 * driver destructures them as C code calls them (`const { IoAllocateIrp, KeSetEvent } = k;`),
 * so each is an own property bound to its manager.
 */

/** The routines `Names` of manager type `M`, as properties of the kernel. */
export type RoutinesOf<M, Names extends readonly (keyof M)[]> = {
  readonly [N in Names[number]]: M[N];
};

/**
 * Binds `names` of `manager` onto `target` as own properties. The tables that call it are
 * checked against their managers' types where they are declared (`satisfies`).
 */
export function bindRoutines(target: object, manager: object, names: readonly string[]): void {
  const properties = target as Record<string, unknown>;
  const routines = manager as Record<string, (...args: unknown[]) => unknown>;
  for (const name of names) {
    const routine = routines[name];
    if (routine === undefined) throw new Error(`bindRoutines: no routine ${name}`);
    properties[name] = routine.bind(manager);
  }
}
