/**
 * The TCP layer (docs/design.md#layers): a pure RFC 9293 connection state machine (connection.ts),
 * a per-host stack with ports, demultiplexing, listeners and timers (stack.ts), and the OS profiles
 * (profiles.ts). The layer above uses the narrow port of port.ts.
 */
export { TcpStack, type TcpHost } from './stack.ts';
export type {
  AbortResult, ConnectError, ConnectRequest, ConnectResult, ConnectionHandler, DecideResult,
  Endpoint, ListenError, ListenMode, ListenRequest, ListenResult, ListenerHandler, Offer,
  OfferAnswer, SendError, SendResult, TcpConnection, TcpListener, WithdrawReason,
} from './port.ts';
export {
  PROFILE_NAMES, profileDefaults, resolveProfile,
  type ListenQueueModel, type PortSharing, type ProfileName, type RejectAnswer, type TcpProfile,
  type TcpProfileOptions,
} from './profiles.ts';
export type { TcpRecord } from './records.ts';
export { TCP_STATES, isSynchronized, type Failure, type Outcome, type TcpState } from './state.ts';
export { TcpSegment, describeOptions, ipHeaderBytes, optionBytes } from './payload.ts';
export {
  ACK, FIN, PSH, RST, SYN, URG, flagNames, segmentLength, type Segment, type TcpOptions,
} from './segment.ts';
