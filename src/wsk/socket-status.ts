/**
 * How a connect that failed reaches the driver: the TCP port's named outcomes and local errors
 * mapped to NTSTATUS values (docs/model.md#connect-and-connection-failures, the conventional
 * mapping; docs/tcp.md#wire-events-and-the-status-a-driver-sees).
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

/** The conventional mapping of a failed connect (docs/model.md#connect-and-connection-failures). */
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
 * close (docs/model.md#wskreceive, #ntstatus-values; docs/policies.md#open-wsk-questions,
 * question 10; docs/tcp.md#wire-events-and-the-status-a-driver-sees). Policies, each the
 * conventional mapping: a peer RST → STATUS_CONNECTION_RESET
 * (docs/tcp.md#wire-events-and-the-status-a-driver-sees, "valid RST on an established connection");
 * the data retransmission limit → STATUS_CONNECTION_ABORTED (same table: Winsock reports
 * WSAECONNABORTED for a locally initiated abort after a retransmission timeout;
 * docs/model.md#ntstatus-values, "the local stack gave up (retransmission limit)"); any other end,
 * a local abort included → STATUS_CONNECTION_ABORTED
 * (docs/model.md#connect-and-connection-failures, "a local abort").
 */
export function dataFailureStatus(outcome: Outcome): NTSTATUS {
  return outcome === 'reset' ? STATUS_CONNECTION_RESET : STATUS_CONNECTION_ABORTED;
}
