/**
 * How a connect that failed reaches the driver: the TCP port's named outcomes and local errors
 * mapped to NTSTATUS values (reference/wsk.md §8, the conventional mapping; tcp.md §5.1).
 */
import type { ConnectError, Outcome } from '../tcp/index.ts';
import {
  STATUS_ADDRESS_ALREADY_EXISTS,
  STATUS_CONNECTION_ABORTED,
  STATUS_CONNECTION_REFUSED,
  STATUS_CONNECTION_RESET,
  STATUS_FILE_FORCED_CLOSED,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_INVALID_ADDRESS,
  STATUS_INVALID_ADDRESS_COMPONENT,
  STATUS_INVALID_PARAMETER,
  STATUS_IO_TIMEOUT,
  STATUS_NETWORK_UNREACHABLE,
  type NTSTATUS,
} from '../nt/index.ts';

/** wsk.md §8's conventional mapping of a failed connect. */
export function outcomeStatus(outcome: Outcome): NTSTATUS {
  switch (outcome) {
    case 'refused':
      return STATUS_CONNECTION_REFUSED;
    case 'timed-out':
      return STATUS_IO_TIMEOUT;
    case 'unreachable':
      return STATUS_NETWORK_UNREACHABLE;
    case 'reset':
      return STATUS_CONNECTION_RESET;
    case 'aborted':
      return STATUS_CONNECTION_ABORTED;
    case 'closed':
      return STATUS_CONNECTION_ABORTED;
  }
}

/** A connect refused locally by the TCP port, as WSK reports it. */
export function connectErrorStatus(error: ConnectError): NTSTATUS {
  switch (error) {
    case 'address-in-use':
      return STATUS_ADDRESS_ALREADY_EXISTS;
    case 'invalid-address':
      return STATUS_INVALID_ADDRESS;
    case 'address-not-local':
      return STATUS_INVALID_ADDRESS_COMPONENT;
    case 'no-ephemeral-port':
      return STATUS_INSUFFICIENT_RESOURCES;
    case 'host-down':
      return STATUS_FILE_FORCED_CLOSED;
    case 'family-mismatch':
    case 'invalid-port':
    case 'invalid-argument':
      return STATUS_INVALID_PARAMETER;
  }
}

/**
 * The status data calls fail with once an established connection ended without a graceful
 * close (wsk.md §3.10, §11 item 10; tcp.md §5.1, §5.2). Policies, each the conventional
 * mapping: a peer RST → STATUS_CONNECTION_RESET (tcp.md §5.1 "valid RST on established
 * connection"); the data retransmission limit → STATUS_CONNECTION_ABORTED (tcp.md §5.1: Winsock
 * reports WSAECONNABORTED for a locally initiated abort after a retransmission timeout; wsk.md §8
 * "local stack gave up on an established connection"); any other end, a local abort included →
 * STATUS_CONNECTION_ABORTED (wsk.md §8 "or local abort").
 */
export function dataFailureStatus(outcome: Outcome): NTSTATUS {
  return outcome === 'reset' ? STATUS_CONNECTION_RESET : STATUS_CONNECTION_ABORTED;
}
