import { describe, expect, it } from 'vitest';
import * as wsk from '../../src/wsk/index.ts';
import { NT_SUCCESS, statusName, type NTSTATUS } from '../../src/wsk/index.ts';

// The table of docs/model.md#ntstatus-values and the statuses it lists as also exported, with
// their ntstatus.h values.
const EXPECTED: Record<string, number> = {
  STATUS_SUCCESS: 0x00000000,
  STATUS_TIMEOUT: 0x00000102,
  STATUS_PENDING: 0x00000103,
  STATUS_EVENT_PENDING: 0x40000013,
  STATUS_BUFFER_OVERFLOW: 0x80000005,
  STATUS_UNSUCCESSFUL: 0xc0000001,
  STATUS_INVALID_PARAMETER: 0xc000000d,
  STATUS_INVALID_DEVICE_REQUEST: 0xc0000010,
  STATUS_MORE_PROCESSING_REQUIRED: 0xc0000016,
  STATUS_ACCESS_DENIED: 0xc0000022,
  STATUS_OBJECT_NAME_COLLISION: 0xc0000035,
  STATUS_BUFFER_TOO_SMALL: 0xc0000023,
  STATUS_INSUFFICIENT_RESOURCES: 0xc000009a,
  STATUS_DEVICE_NOT_READY: 0xc00000a3,
  STATUS_IO_TIMEOUT: 0xc00000b5,
  STATUS_FILE_FORCED_CLOSED: 0xc00000b6,
  STATUS_NOT_SUPPORTED: 0xc00000bb,
  STATUS_REQUEST_NOT_ACCEPTED: 0xc00000d0,
  STATUS_CANCELLED: 0xc0000120,
  STATUS_LOCAL_DISCONNECT: 0xc000013b,
  STATUS_REMOTE_DISCONNECT: 0xc000013c,
  STATUS_INVALID_ADDRESS: 0xc0000141,
  STATUS_INVALID_DEVICE_STATE: 0xc0000184,
  STATUS_INVALID_ADDRESS_COMPONENT: 0xc0000207,
  STATUS_ADDRESS_ALREADY_EXISTS: 0xc000020a,
  STATUS_CONNECTION_DISCONNECTED: 0xc000020c,
  STATUS_CONNECTION_RESET: 0xc000020d,
  STATUS_DATA_NOT_ACCEPTED: 0xc000021b,
  STATUS_NOT_FOUND: 0xc0000225,
  STATUS_CONNECTION_REFUSED: 0xc0000236,
  STATUS_GRACEFUL_DISCONNECT: 0xc0000237,
  STATUS_ADDRESS_ALREADY_ASSOCIATED: 0xc0000238,
  STATUS_CONNECTION_INVALID: 0xc000023a,
  STATUS_CONNECTION_ACTIVE: 0xc000023b,
  STATUS_NETWORK_UNREACHABLE: 0xc000023c,
  STATUS_HOST_UNREACHABLE: 0xc000023d,
  STATUS_PROTOCOL_UNREACHABLE: 0xc000023e,
  STATUS_PORT_UNREACHABLE: 0xc000023f,
  STATUS_REQUEST_ABORTED: 0xc0000240,
  STATUS_CONNECTION_ABORTED: 0xc0000241,
  STATUS_NOINTERFACE: 0xc00002b9,
  STATUS_HOST_DOWN: 0xc0000350,
  STATUS_INVALID_BUFFER_SIZE: 0xc0000206,
  // An alias: KeWaitForMultipleObjects returns STATUS_WAIT_0 + index (ntstatus.h: 0).
  STATUS_WAIT_0: 0x00000000,
};
const ALIASES = new Set(['STATUS_WAIT_0']);

describe('wsk: NTSTATUS', () => {
  it('every status has its ntstatus.h value and its own name', () => {
    const exported = Object.entries(wsk).filter(([name]) => name.startsWith('STATUS_'));
    expect(Object.fromEntries(exported)).toEqual(EXPECTED);
    for (const [name, value] of exported) {
      if (!ALIASES.has(name)) expect(statusName(value as NTSTATUS)).toBe(name);
    }
  });

  it('NT_SUCCESS is true for success and informational, false for warnings and errors', () => {
    expect(NT_SUCCESS(wsk.STATUS_SUCCESS)).toBe(true);
    expect(NT_SUCCESS(wsk.STATUS_PENDING)).toBe(true);
    expect(NT_SUCCESS(wsk.STATUS_TIMEOUT)).toBe(true);
    expect(NT_SUCCESS(wsk.STATUS_EVENT_PENDING)).toBe(true);
    expect(NT_SUCCESS(wsk.STATUS_BUFFER_OVERFLOW)).toBe(false);
    expect(NT_SUCCESS(wsk.STATUS_CANCELLED)).toBe(false);
    expect(NT_SUCCESS(wsk.STATUS_MORE_PROCESSING_REQUIRED)).toBe(false);
  });

  it('statusName prints unknown values in hex', () => {
    expect(statusName(0xc0000232 as NTSTATUS)).toBe('0xC0000232');
  });
});
