/**
 * The WSK provider over the NT kernel layer (src/nt, re-exported here): addresses
 * and constants (address.ts, docs/model.md#address-formats, #sockets-and-dispatch-tables),
 * registration and the client-level provider dispatch (registration.ts,
 * docs/model.md#registration-and-capture, #provider-dispatch-tables, #wskcontrolclient), basic,
 * listening, connection and stream sockets over TCP (socket.ts and the modules it composes,
 * docs/model.md from #creating-sockets to #wskacceptevent, #enabling-and-disabling-events,
 * #wskclosesocket, #ntstatus-values), and their data path (connection-data.ts,
 * receive-indications.ts, docs/model.md#the-data-path).
 */
// The kernel layer under the provider: a driver receives both in one kernel object.
export * from '../nt/index.ts';
export { Kernel, WSK_ROUTINES, type WskRoutines } from './kernel.ts';
export {
  KERNEL_OPTION_NAMES,
  WSK_POLICY_NAMES,
  checkKernelOption,
  checkKernelOptionNames,
  checkKernelOptions,
  checkKernelOverrides,
  parseKernelOption,
  type KernelOptions,
  type KernelOverrides,
  type WskPolicies,
} from './options.ts';
export type { WskKernelCore } from './provider-kernel.ts';
export type { WskRecord } from './records.ts';
export * from './address.ts';
export {
  NPI_WSK_INTERFACE_ID,
  WSK_CACHED_SECURITY_DESCRIPTOR,
  WSK_CLIENT,
  WSK_PROVIDER_CHARACTERISTICS,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  WSK_TRANSPORT_SIZE,
  type PFN_WSK_CLIENT_EVENT,
  type PFN_WSK_CONTROL_CLIENT,
  type PSECURITY_DESCRIPTOR,
  type PWSK_CLIENT,
  type WSK_CLIENT_DISPATCH,
  type WSK_CLIENT_NPI,
  type WSK_EVENT_CALLBACK_CONTROL,
  type WSK_PROVIDER_DISPATCH,
  type WSK_TRANSPORT,
} from './client.ts';
export { WskManager } from './registration.ts';
export type { OwnedRequest, PortOwner, PortRange, Transport } from './transport.ts';
export type { DatagramTransport } from './datagram-transport.ts';
export {
  MSG_CTRUNC,
  MSG_TRUNC,
  WSK_DATAGRAM_INDICATION,
  type PFN_WSK_RECEIVE_FROM,
  type PFN_WSK_RECEIVE_FROM_EVENT,
  type PFN_WSK_RELEASE_DATAGRAM_INDICATION_LIST,
  type PFN_WSK_SEND_MESSAGES,
  type PFN_WSK_SEND_TO,
  type PWSK_BUF_LIST,
  type PWSK_DATAGRAM_INDICATION,
  type WSK_BUF_LIST,
  type WSK_CLIENT_DATAGRAM_DISPATCH,
} from './datagram-types.ts';
export type { WSK_PROVIDER_DATAGRAM_DISPATCH } from './dispatch-types.ts';
export {
  PsInitialSystemProcess,
  SECURITY_DESCRIPTOR,
  type Binding,
  type ShareMode,
  type ShareVerdict,
} from './sharing.ts';
export {
  InspectAccept,
  InspectPend,
  InspectReject,
  WSK_INSPECT_ID,
  WskInspectAccept,
  WskInspectMax,
  WskInspectPend,
  WskInspectReject,
  type PFN_WSK_ABORT_EVENT,
  type PFN_WSK_INSPECT_COMPLETE,
  type PFN_WSK_INSPECT_EVENT,
  type PWSK_INSPECT_ID,
  type WSK_INSPECT_ACTION,
  type PFN_WSK_ACCEPT,
  type PFN_WSK_ACCEPT_EVENT,
  type PFN_WSK_CONTROL_SOCKET,
  type PFN_WSK_LISTEN,
  type PFN_WSK_BIND,
  type PFN_WSK_CLOSE_SOCKET,
  type PFN_WSK_CONNECT,
  type PFN_WSK_GET_LOCAL_ADDRESS,
  type PFN_WSK_GET_REMOTE_ADDRESS,
  type WSK_CLIENT_CONNECTION_DISPATCH,
  type WSK_CLIENT_LISTEN_DISPATCH,
  type WSK_CLIENT_STREAM_DISPATCH,
  type WSK_PROVIDER_BASIC_DISPATCH,
  type WSK_PROVIDER_CONNECTION_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
  type WSK_PROVIDER_STREAM_DISPATCH,
} from './dispatch-types.ts';
export { WSK_SOCKET, type PWSK_SOCKET } from './socket-state.ts';
export { type PFN_WSK_SOCKET, type PFN_WSK_SOCKET_CONNECT } from './client.ts';
export { connectErrorStatus, dataFailureStatus, outcomeStatus } from './socket-status.ts';
export {
  SIO_WSK_QUERY_IDEAL_SEND_BACKLOG,
  WSK_DATA_INDICATION,
  WSK_FLAG_ABORTIVE,
  WSK_FLAG_DRAIN,
  WSK_FLAG_ENTIRE_MESSAGE,
  WSK_FLAG_NODELAY,
  WSK_FLAG_RELEASE_ASAP,
  WSK_FLAG_WAITALL,
  type PWSK_BUF,
  type PWSK_DATA_INDICATION,
  type WSK_BUF,
} from './data-types.ts';
export {
  type PFN_WSK_DISCONNECT,
  type PFN_WSK_DISCONNECT_EVENT,
  type PFN_WSK_RECEIVE,
  type PFN_WSK_RECEIVE_EVENT,
  type PFN_WSK_RELEASE_DATA_INDICATION_LIST,
  type PFN_WSK_SEND,
  type PFN_WSK_SEND_BACKLOG_EVENT,
} from './dispatch-types.ts';
export {
  RULES,
  ruleOf,
  WSK_RULE_LIST,
  WSK_RULES,
  type AdvisoryId,
  type ViolationId,
  type WskAdvisoryId,
  type WskViolationId,
} from './rules.ts';
export { outstandingOf, type Outstanding } from './outstanding.ts';
export { checkWskInvariants } from './invariants.ts';
export {
  ADDRINFOEXW,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_PASSIVE,
  NI_DGRAM,
  NI_NAMEREQD,
  NI_NOFQDN,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  NS_ALL,
  NS_DNS,
  SOCKADDR_IN6_SIZE,
  SOCKADDR_IN_SIZE,
  type PADDRINFOEXW,
} from './addrinfo.ts';
export {
  NameResolver,
  type AddressInfoLeak,
  type NameTable,
} from './name-resolution.ts';
export type {
  PFN_WSK_FREE_ADDRESS_INFO,
  PFN_WSK_GET_ADDRESS_INFO,
  PFN_WSK_GET_NAME_INFO,
} from './client.ts';
export * from './c-types.ts';
