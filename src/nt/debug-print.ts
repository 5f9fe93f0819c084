/**
 * Debug output (WDK reference pages "DbgPrint function (wdm.h)", "DbgPrintEx function (wdm.h)",
 * "KdPrint macro (wdm.h)", "KdPrintEx macro (wdm.h)"): what a driver prints is captured as a
 * trace record `nt.debug-print` (its host, component, level and text), so it is in the trace, in
 * a failure report's last records and in `--trace` output, where a driver author looks for it.
 * - DbgPrint(Format, ...) and DbgPrintEx(ComponentId, Level, Format, ...) format as printf does
 *   for the conversions drivers use: %d %i %u %x %X %o %c %s %S %ws %wZ %p %%, with flags, width,
 *   precision and the l / ll / I64 / h / w size prefixes (a %wZ argument is a UNICODE_STRING, a %p
 *   an object: printed as its kind). Both return STATUS_SUCCESS. The record's text leaves out
 *   the one line break a call usually ends with, so a call is one line of `--trace`.
 * - KdPrint((Format, ...)) is a macro around DbgPrint with its arguments in double parentheses;
 *   in TypeScript those would be a comma expression, so write `KdPrint(Format, ...)`, and
 *   `KdPrintEx(ComponentId, Level, Format, ...)`. Both print in every build (the model has no
 *   free build that compiles them out).
 * - Component filtering (the Kd_<Component>_Mask a debugger sets) is not modelled: every DbgPrintEx
 *   is captured with its level (a policy, docs/policies.md#kernel-routine-policies).
 * Any IRQL is allowed: no IRQL check, as DbgPrint runs at any IRQL up to DIRQL.
 */
import type { KernelCore } from './kernel-core.ts';
import { STATUS_SUCCESS, type NTSTATUS } from './ntstatus.ts';

/** DPFLTR_TYPE components drivers of this kind pass (dpfilter.h). */
export const DPFLTR_IHVDRIVER_ID = 77;
export const DPFLTR_IHVNETWORK_ID = 80;
export const DPFLTR_DEFAULT_ID = 101;
/** DbgPrintEx levels (dpfilter.h). */
export const DPFLTR_ERROR_LEVEL = 0;
export const DPFLTR_WARNING_LEVEL = 1;
export const DPFLTR_TRACE_LEVEL = 2;
export const DPFLTR_INFO_LEVEL = 3;

const CONVERSION = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?(ll|l|h|w|I64|I32|I)?([diuxXocsSZp%])/g;

/** Formats `format` with `args` as DbgPrint does (the conversions of the module header). */
export function formatDbgPrint(format: string, args: readonly unknown[]): string {
  let next = 0;
  const arg = (): unknown => args[next++];
  return format.replace(CONVERSION, (_all, flags: string, width, precision, size, type) => {
    if (type === '%') return '%';
    const w = width === '*' ? Number(arg()) : width === undefined ? 0 : Number(width);
    const p = precision === '*' ? Number(arg()) : precision === undefined ? -1 : Number(precision);
    const text = convert(type as string, size as string | undefined, arg(), p);
    const zero = flags.includes('0') && !flags.includes('-') && /[diuxXo]/.test(type as string);
    const padded = text.length >= w ? text : flags.includes('-')
      ? text.padEnd(w)
      : text.padStart(w, zero ? '0' : ' ');
    return flags.includes('+') && /[di]/.test(type as string) && !text.startsWith('-')
      ? `+${padded}`
      : padded;
  });
}

function convert(
  type: string,
  size: string | undefined,
  value: unknown,
  precision: number,
): string {
  const wide = size === 'll' || size === 'I64';
  switch (type) {
    case 'd':
    case 'i':
      return String(wide ? Math.trunc(Number(value)) : Number(value) | 0);
    case 'u':
      return String(wide ? Math.trunc(Number(value)) : Number(value) >>> 0);
    case 'x':
    case 'X':
    case 'o': {
      const n = wide ? Math.trunc(Number(value)) : Number(value) >>> 0;
      const text = n.toString(type === 'o' ? 8 : 16);
      return type === 'X' ? text.toUpperCase() : text;
    }
    case 'c':
      return typeof value === 'number' ? String.fromCharCode(value) : String(value);
    case 'Z': {
      const buffer = (value as { Buffer?: unknown } | null)?.Buffer;
      return value === null ? '(null)' : String(buffer ?? '');
    }
    case 'p':
      return value === null || value === undefined
        ? '0000000000000000'
        : typeof value === 'object'
          ? `<${value.constructor.name}>`
          : String(value);
    default: {
      const text = value === null || value === undefined ? '(null)' : String(value);
      return precision >= 0 ? text.slice(0, precision) : text;
    }
  }
}

export class DebugPrintManager {
  readonly #k: KernelCore;

  constructor(kernel: KernelCore) {
    this.#k = kernel;
  }

  DbgPrint(Format: string, ...Arguments: unknown[]): NTSTATUS {
    return this.#print(DPFLTR_DEFAULT_ID, DPFLTR_ERROR_LEVEL, Format, Arguments);
  }

  DbgPrintEx(
    ComponentId: number,
    Level: number,
    Format: string,
    ...Arguments: unknown[]
  ): NTSTATUS {
    return this.#print(ComponentId, Level, Format, Arguments);
  }

  /** wdm.h's KdPrint is DbgPrint (in a checked build; a simulation always prints). */
  KdPrint(Format: string, ...Arguments: unknown[]): NTSTATUS {
    return this.DbgPrint(Format, ...Arguments);
  }

  /** wdm.h's KdPrintEx is DbgPrintEx, as KdPrint is DbgPrint. */
  KdPrintEx(ComponentId: number, Level: number, Format: string, ...Arguments: unknown[]): NTSTATUS {
    return this.DbgPrintEx(ComponentId, Level, Format, ...Arguments);
  }

  #print(component: number, level: number, format: string, args: readonly unknown[]): NTSTATUS {
    const sim = this.#k.sim;
    // One line of the trace per call: the line break a DbgPrint ends with is not kept.
    const text = formatDbgPrint(format, args).replace(/\r?\n$/, '');
    const host = this.#k.host;
    sim.trace.emit({ at: sim.now, type: 'nt.debug-print', host, component, level, text });
    return STATUS_SUCCESS;
  }
}
