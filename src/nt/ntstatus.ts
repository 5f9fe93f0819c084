/**
 * NTSTATUS: the status type of every WSK call and IRP (docs/design.md#the-wsk-surface,
 * #windows-names-at-the-edge-typescript-inside).
 *
 * Values are Windows' own, as unsigned 32-bit numbers: those of ntstatus.h, as
 * docs/model.md#ntstatus-values lists them (checked there against Wine's `include/ntstatus.h`).
 * STATUS_UNSUCCESSFUL (0xC0000001) is the reset status the samples pass to IoReuseIrp
 * (docs/model.md#irps-and-completion-routines).
 *
 * NT_SUCCESS follows ntdef.h: `((NTSTATUS)(Status)) >= 0`, i.e. severity success (0) or
 * informational (1); warnings (0x8…) and errors (0xC…) are failures.
 */

/** A Windows NTSTATUS, held as its unsigned 32-bit value (0xC0000120, not -1073741536). */
export type NTSTATUS = number & { readonly __brand: 'NTSTATUS' };

const names = new Map<number, string>();
function status(name: string, value: number): NTSTATUS {
  names.set(value, name);
  return value as NTSTATUS;
}

// Success and informational (NT_SUCCESS true).
export const STATUS_SUCCESS = status('STATUS_SUCCESS', 0x00000000);
/** KeWaitForMultipleObjects returns STATUS_WAIT_0 + the index (ntstatus.h: 0, STATUS_SUCCESS). */
export const STATUS_WAIT_0 = STATUS_SUCCESS;
export const STATUS_TIMEOUT = status('STATUS_TIMEOUT', 0x00000102);
export const STATUS_PENDING = status('STATUS_PENDING', 0x00000103);
export const STATUS_EVENT_PENDING = status('STATUS_EVENT_PENDING', 0x40000013);
// Warnings.
export const STATUS_BUFFER_OVERFLOW = status('STATUS_BUFFER_OVERFLOW', 0x80000005);
// Errors.
export const STATUS_UNSUCCESSFUL = status('STATUS_UNSUCCESSFUL', 0xc0000001);
export const STATUS_INVALID_PARAMETER = status('STATUS_INVALID_PARAMETER', 0xc000000d);
export const STATUS_INVALID_DEVICE_REQUEST = status('STATUS_INVALID_DEVICE_REQUEST', 0xc0000010);
export const STATUS_MORE_PROCESSING_REQUIRED = status(
  'STATUS_MORE_PROCESSING_REQUIRED',
  0xc0000016,
);
export const STATUS_ACCESS_DENIED = status('STATUS_ACCESS_DENIED', 0xc0000022);
/** ntstatus.h's value, for an output buffer too small for an option or IOCTL value. */
export const STATUS_BUFFER_TOO_SMALL = status('STATUS_BUFFER_TOO_SMALL', 0xc0000023);
export const STATUS_OBJECT_NAME_COLLISION = status('STATUS_OBJECT_NAME_COLLISION', 0xc0000035);
export const STATUS_INSUFFICIENT_RESOURCES = status('STATUS_INSUFFICIENT_RESOURCES', 0xc000009a);
export const STATUS_DEVICE_NOT_READY = status('STATUS_DEVICE_NOT_READY', 0xc00000a3);
export const STATUS_IO_TIMEOUT = status('STATUS_IO_TIMEOUT', 0xc00000b5);
export const STATUS_FILE_FORCED_CLOSED = status('STATUS_FILE_FORCED_CLOSED', 0xc00000b6);
export const STATUS_NOT_SUPPORTED = status('STATUS_NOT_SUPPORTED', 0xc00000bb);
export const STATUS_REQUEST_NOT_ACCEPTED = status('STATUS_REQUEST_NOT_ACCEPTED', 0xc00000d0);
export const STATUS_CANCELLED = status('STATUS_CANCELLED', 0xc0000120);
export const STATUS_LOCAL_DISCONNECT = status('STATUS_LOCAL_DISCONNECT', 0xc000013b);
export const STATUS_REMOTE_DISCONNECT = status('STATUS_REMOTE_DISCONNECT', 0xc000013c);
export const STATUS_INVALID_ADDRESS = status('STATUS_INVALID_ADDRESS', 0xc0000141);
export const STATUS_INVALID_DEVICE_STATE = status('STATUS_INVALID_DEVICE_STATE', 0xc0000184);
export const STATUS_INVALID_ADDRESS_COMPONENT = status(
  'STATUS_INVALID_ADDRESS_COMPONENT',
  0xc0000207,
);
export const STATUS_ADDRESS_ALREADY_EXISTS = status('STATUS_ADDRESS_ALREADY_EXISTS', 0xc000020a);
export const STATUS_CONNECTION_DISCONNECTED = status(
  'STATUS_CONNECTION_DISCONNECTED',
  0xc000020c,
);
export const STATUS_CONNECTION_RESET = status('STATUS_CONNECTION_RESET', 0xc000020d);
export const STATUS_DATA_NOT_ACCEPTED = status('STATUS_DATA_NOT_ACCEPTED', 0xc000021b);
export const STATUS_NOT_FOUND = status('STATUS_NOT_FOUND', 0xc0000225);
export const STATUS_CONNECTION_REFUSED = status('STATUS_CONNECTION_REFUSED', 0xc0000236);
export const STATUS_GRACEFUL_DISCONNECT = status('STATUS_GRACEFUL_DISCONNECT', 0xc0000237);
export const STATUS_ADDRESS_ALREADY_ASSOCIATED = status(
  'STATUS_ADDRESS_ALREADY_ASSOCIATED',
  0xc0000238,
);
export const STATUS_CONNECTION_INVALID = status('STATUS_CONNECTION_INVALID', 0xc000023a);
export const STATUS_CONNECTION_ACTIVE = status('STATUS_CONNECTION_ACTIVE', 0xc000023b);
export const STATUS_NETWORK_UNREACHABLE = status('STATUS_NETWORK_UNREACHABLE', 0xc000023c);
export const STATUS_HOST_UNREACHABLE = status('STATUS_HOST_UNREACHABLE', 0xc000023d);
export const STATUS_PROTOCOL_UNREACHABLE = status('STATUS_PROTOCOL_UNREACHABLE', 0xc000023e);
export const STATUS_PORT_UNREACHABLE = status('STATUS_PORT_UNREACHABLE', 0xc000023f);
export const STATUS_REQUEST_ABORTED = status('STATUS_REQUEST_ABORTED', 0xc0000240);
export const STATUS_CONNECTION_ABORTED = status('STATUS_CONNECTION_ABORTED', 0xc0000241);
export const STATUS_NOINTERFACE = status('STATUS_NOINTERFACE', 0xc00002b9);
export const STATUS_HOST_DOWN = status('STATUS_HOST_DOWN', 0xc0000350);
export const STATUS_INVALID_BUFFER_SIZE = status('STATUS_INVALID_BUFFER_SIZE', 0xc0000206);

/** ntdef.h: `#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)`. */
export function NT_SUCCESS(Status: NTSTATUS): boolean {
  return (Status | 0) >= 0;
}

/** The constant's name for a trace ('STATUS_CANCELLED'), or '0x…' for a value not defined here. */
export function statusName(Status: NTSTATUS): string {
  const value = Status >>> 0;
  return names.get(value) ?? `0x${value.toString(16).toUpperCase().padStart(8, '0')}`;
}
