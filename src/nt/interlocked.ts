/**
 * Interlocked operations (WDK reference pages "InterlockedIncrement function (wdm.h)",
 * "InterlockedDecrement function (wdm.h)", "InterlockedExchange function (wdm.h)",
 * "InterlockedCompareExchange function (wdm.h)", "InterlockedExchangeAdd function (wdm.h)",
 * "InterlockedExchangePointer function (wdm.h)", "InterlockedCompareExchangePointer function
 * (wdm.h)"). One processor runs at a time in the model, so each is trivially atomic; they are
 * here so ported code keeps its calls, and for their LONG arithmetic: values are 32-bit signed
 * and wrap as in C (InterlockedIncrement of 0x7FFFFFFF is -0x80000000).
 *
 * The C target `&ctx->RefCount` is written one of two ways, both ported line by line:
 * `InterlockedIncrement(ctx, 'RefCount')` (the structure and its field: the field stays a plain
 * number), or `InterlockedIncrement(RefCount)` with a holder `{ value }` (the convention for a
 * pointer to a variable, docs/design.md#the-wsk-surface). Increment, decrement and exchange-add
 * return the new value, Increment/Decrement, or the old one, the exchanges; the compare-exchange
 * forms return the old value and store Exchange only if it equalled Comperand. The pointer
 * forms compare by identity.
 *
 * They are plain functions (compiler intrinsics in C, no kernel needed) and also routines of the
 * kernel object, so `const { InterlockedIncrement } = k;` works as for every other routine.
 */

/** A LONG variable by address: a holder, or a structure and the name of its field. */
type Target = { value: number } | object;

function read(Target: Target, Field: string | undefined): number {
  const box = Target as Record<string, unknown>;
  return box[Field ?? 'value'] as number;
}

function write(Target: Target, Field: string | undefined, Value: number): void {
  const box = Target as Record<string, unknown>;
  box[Field ?? 'value'] = Value | 0;
}

export function InterlockedIncrement(Addend: { value: number }): number;
export function InterlockedIncrement<T extends object>(Target: T, Field: keyof T & string): number;
export function InterlockedIncrement(Target: Target, Field?: string): number {
  const value = (read(Target, Field) + 1) | 0;
  write(Target, Field, value);
  return value;
}

export function InterlockedDecrement(Addend: { value: number }): number;
export function InterlockedDecrement<T extends object>(Target: T, Field: keyof T & string): number;
export function InterlockedDecrement(Target: Target, Field?: string): number {
  const value = (read(Target, Field) - 1) | 0;
  write(Target, Field, value);
  return value;
}

export function InterlockedExchangeAdd(Addend: { value: number }, Value: number): number;
export function InterlockedExchangeAdd<T extends object>(
  Target: T,
  Field: keyof T & string,
  Value: number,
): number;
export function InterlockedExchangeAdd(Target: Target, a: string | number, b?: number): number {
  const [Field, Value] = typeof a === 'string' ? [a, b as number] : [undefined, a];
  const old = read(Target, Field);
  write(Target, Field, old + Value);
  return old;
}

export function InterlockedExchange(Target: { value: number }, Value: number): number;
export function InterlockedExchange<T extends object>(
  Target: T,
  Field: keyof T & string,
  Value: number,
): number;
export function InterlockedExchange(Target: Target, a: string | number, b?: number): number {
  const [Field, Value] = typeof a === 'string' ? [a, b as number] : [undefined, a];
  const old = read(Target, Field);
  write(Target, Field, Value);
  return old;
}

export function InterlockedCompareExchange(
  Destination: { value: number },
  ExChange: number,
  Comperand: number,
): number;
export function InterlockedCompareExchange<T extends object>(
  Destination: T,
  Field: keyof T & string,
  ExChange: number,
  Comperand: number,
): number;
export function InterlockedCompareExchange(
  Destination: Target,
  a: string | number,
  b: number,
  c?: number,
): number {
  const [Field, ExChange, Comperand] =
    typeof a === 'string' ? [a, b, c as number] : [undefined, a, b];
  const old = read(Destination, Field);
  if (old === (Comperand | 0)) write(Destination, Field, ExChange);
  return old;
}

export function InterlockedExchangePointer<P>(Target: { value: P }, Value: P): P {
  const old = Target.value;
  Target.value = Value;
  return old;
}

export function InterlockedCompareExchangePointer<P>(
  Destination: { value: P },
  Exchange: P,
  Comperand: P,
): P {
  const old = Destination.value;
  if (old === Comperand) Destination.value = Exchange;
  return old;
}

/** The interlocked functions as routines of the kernel object (kernel.ts's table). */
export class InterlockedRoutines {
  readonly InterlockedIncrement = InterlockedIncrement;
  readonly InterlockedDecrement = InterlockedDecrement;
  readonly InterlockedExchangeAdd = InterlockedExchangeAdd;
  readonly InterlockedExchange = InterlockedExchange;
  readonly InterlockedCompareExchange = InterlockedCompareExchange;
  readonly InterlockedExchangePointer = InterlockedExchangePointer;
  readonly InterlockedCompareExchangePointer = InterlockedCompareExchangePointer;
}
