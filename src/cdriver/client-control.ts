/**
 * WskControlClient's C buffers, by control code, as the model takes them (src/wsk/registration.ts),
 * and what the call returns through them written back to C ("WSK Client Control Operations",
 * https://learn.microsoft.com/windows-hardware/drivers/network/wsk-client-control-operations):
 * - WSK_TRANSPORT_LIST_QUERY: OutputBuffer an array of C WSK_TRANSPORT (28 bytes each, the
 *   ProviderId GUID in its binary layout), filled as far as OutputSize holds whole entries;
 * - WSK_SET_STATIC_EVENT_CALLBACKS: InputBuffer a WSK_EVENT_CALLBACK_CONTROL;
 * - WSK_TDI_BEHAVIOR: InputBuffer a ULONG of flags;
 * - WSK_TRANSPORT_LIST_CHANGE: no buffers, the IRP pends;
 * - any other code: a ULONG input, for the model's answer (STATUS_NOT_SUPPORTED for
 *   WSK_TDI_DEVICENAME_MAPPING, STATUS_INVALID_PARAMETER for an unknown code).
 * - WSK_CACHE_SD: InputBuffer a PSECURITY_DESCRIPTOR variable holding the descriptor, OutputBuffer
 *   a PSECURITY_DESCRIPTOR variable that receives the cached copy ("WSK_CACHE_SD",
 *   https://learn.microsoft.com/windows-hardware/drivers/network/wsk-cache-sd), written as an
 *   opaque handle (security.ts);
 * - WSK_RELEASE_SD: InputBuffer a PSECURITY_DESCRIPTOR variable holding the cached copy
 *   ("WSK_RELEASE_SD",
 *   https://learn.microsoft.com/windows-hardware/drivers/network/wsk-release-sd).
 * Each code's buffers are in the table of "PFN_WSK_CONTROL_CLIENT callback function (wsk.h)",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_control_client.
 */
import {
  NPI_WSK_INTERFACE_ID,
  WSK_CACHE_SD,
  WSK_RELEASE_SD,
  WSK_SET_STATIC_EVENT_CALLBACKS,
  WSK_TDI_BEHAVIOR,
  WSK_TRANSPORT_LIST_QUERY,
  WSK_TRANSPORT_SIZE,
  type WSK_TRANSPORT,
} from '../wsk/index.ts';
import type { CDriver } from './c-driver.ts';
import { EVENT_CALLBACK_CONTROL, TRANSPORT } from './layout.ts';
import type { CSecurity } from './security.ts';

/** The model's arguments for a call, and what writes its answer back into C memory. */
export interface ClientControlBuffers {
  readonly input: unknown;
  readonly output: unknown;
  /** Writes what the call returned through OutputBuffer. */
  readonly write: () => void;
}

export function clientControlBuffers(
  d: CDriver,
  ControlCode: number,
  InputBuffer: number,
  OutputSize: number,
  OutputBuffer: number,
  security: CSecurity,
): ClientControlBuffers {
  const none = (): void => undefined;
  if (ControlCode === WSK_CACHE_SD || ControlCode === WSK_RELEASE_SD) {
    return descriptorBuffers(d, ControlCode, InputBuffer, OutputBuffer, security);
  }
  if (ControlCode === WSK_SET_STATIC_EVENT_CALLBACKS) {
    return { input: eventCallbackControl(d, InputBuffer), output: null, write: none };
  }
  if (ControlCode === WSK_TRANSPORT_LIST_QUERY) {
    const output: WSK_TRANSPORT[] | null = OutputBuffer === 0 ? null : [];
    const write = (): void => {
      output?.forEach((transport, i) => {
        if ((i + 1) * WSK_TRANSPORT_SIZE <= OutputSize) {
          writeTransport(d, OutputBuffer + i * WSK_TRANSPORT_SIZE, transport);
        }
      });
    };
    return { input: null, output, write };
  }
  const input = InputBuffer === 0 ? null : { value: d.u32(InputBuffer) };
  if (ControlCode === WSK_TDI_BEHAVIOR) return { input, output: null, write: none };
  return { input, output: OutputBuffer === 0 ? null : {}, write: none };
}

/**
 * WSK_CACHE_SD's and WSK_RELEASE_SD's buffers: each input a PSECURITY_DESCRIPTOR variable (NULL
 * for no variable), WSK_CACHE_SD's output a holder whose cached copy goes to C as a handle.
 */
function descriptorBuffers(
  d: CDriver,
  ControlCode: number,
  InputBuffer: number,
  OutputBuffer: number,
  security: CSecurity,
): ClientControlBuffers {
  const input = InputBuffer === 0 ? null : { value: security.descriptor(d.u32(InputBuffer)) };
  if (ControlCode === WSK_RELEASE_SD || OutputBuffer === 0) {
    return { input, output: null, write: () => undefined };
  }
  const output = { value: null as unknown };
  const write = (): void => {
    if (output.value !== null) d.setU32(OutputBuffer, security.handle(output.value));
  };
  return { input, output, write };
}

/** A C WSK_EVENT_CALLBACK_CONTROL as the model's (NULL is null). */
export function eventCallbackControl(d: CDriver, address: number): object | null {
  if (address === 0) return null;
  return {
    NpiId: npiId(d, d.u32(address + EVENT_CALLBACK_CONTROL.NpiId)),
    EventMask: d.u32(address + EVENT_CALLBACK_CONTROL.EventMask),
  };
}

/** NPI_WSK_INTERFACE_ID's model identity when C passes the runtime's NPIID, else what C gave. */
export function npiId(d: CDriver, address: number): unknown {
  return address === d.exports.__wsksim_npi_wsk_interface_id() ? NPI_WSK_INTERFACE_ID : address;
}

function writeTransport(d: CDriver, address: number, transport: WSK_TRANSPORT): void {
  d.setU16(address + TRANSPORT.Version, transport.Version);
  d.setU16(address + TRANSPORT.SocketType, transport.SocketType);
  d.setU32(address + TRANSPORT.Protocol, transport.Protocol);
  d.setU16(address + TRANSPORT.AddressFamily, transport.AddressFamily);
  d.setU16(address + TRANSPORT.AddressFamily + 2, 0);
  guidBytes(transport.ProviderId).forEach((byte, i) =>
    d.setU8(address + TRANSPORT.ProviderId + i, byte),
  );
}

/**
 * A GUID's text as its 16 bytes in memory: Data1 (ULONG), Data2 and Data3 (USHORT) little-endian,
 * Data4 as written ("GUID structure (guiddef.h)",
 * https://learn.microsoft.com/windows/win32/api/guiddef/ns-guiddef-guid).
 */
function guidBytes(text: string): number[] {
  const hex = text.replace(/-/g, '');
  const byte = (i: number): number => Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16) || 0;
  return [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15].map(byte);
}
