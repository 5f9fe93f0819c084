/**
 * WskControlSocket's WskIoctl requests of the data path (docs/model.md#socket-options-and-control,
 * #wskdisconnectevent-and-wsksendbacklogevent): SIO_WSK_QUERY_IDEAL_SEND_BACKLOG. socket-control.ts
 * hands every WskIoctl here and completes the call with the status and output size returned.
 *
 * The ideal send backlog (policy; Windows computes it from its own transport state and documents
 * no formula): the bytes the model's TCP keeps in flight at most, min(largest window the peer
 * advertised, the profile's sendWindowLimit, 64 KiB by default) — TcpConnection.sendCapacity.
 * Without congestion control (tcp/connection.ts header) that is exactly what keeps the pipe
 * full, which is what wsk.h says the value is for ("the optimal amount of send data that needs to
 * be kept outstanding ... in order to keep the data pipe full"). It changes when the peer's
 * largest window grows, and WskSendBacklogEvent says so (receive-indications.ts).
 *
 * Statuses: a socket that is not a connection-oriented one (or a stream socket in that role) →
 * STATUS_NOT_SUPPORTED (socket-control.ts's policy for a request outside the category); not
 * connected → STATUS_INVALID_DEVICE_STATE (as docs/model.md#local-and-remote-addresses); an output
 * smaller than a SIZE_T (8 bytes) or not a holder → STATUS_BUFFER_TOO_SMALL; success writes 8
 * bytes. The IRP is optional. Every other IOCTL → STATUS_NOT_SUPPORTED, as before.
 */
import type { TcpConnection } from '../tcp/port.ts';
import { SIO_WSK_QUERY_IDEAL_SEND_BACKLOG } from './data-types.ts';
import {
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_NOT_SUPPORTED,
  STATUS_SUCCESS,
  isHolder,
  type NTSTATUS,
} from '../nt/index.ts';
import type { SocketState } from './socket-state.ts';

const SIZE_T = 8;

/** The ideal send backlog of a connection (module header). */
export function idealSendBacklog(connection: TcpConnection): number {
  return connection.sendCapacity;
}

/** A WskIoctl request: its status and the bytes written to OutputBuffer. */
export function dataIoctl(
  state: SocketState,
  code: number,
  OutputSize: number,
  OutputBuffer: unknown,
): [NTSTATUS, number] {
  if (code !== SIO_WSK_QUERY_IDEAL_SEND_BACKLOG) return [STATUS_NOT_SUPPORTED, 0];
  if (state.role !== 'connection') return [STATUS_NOT_SUPPORTED, 0];
  const connection = state.connection;
  if (connection === null || !state.connected) return [STATUS_INVALID_DEVICE_STATE, 0];
  if (OutputSize < SIZE_T || !isHolder(OutputBuffer)) return [STATUS_BUFFER_TOO_SMALL, 0];
  OutputBuffer.value = idealSendBacklog(connection);
  return [STATUS_SUCCESS, SIZE_T];
}
