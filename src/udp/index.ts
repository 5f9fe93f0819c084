/**
 * The UDP layer (RFC 768): a stack per host beside TCP's (stack.ts), its payloads (payload.ts),
 * the port types the layer above uses (port.ts) and its trace records (records.ts).
 */
export {
  IPV4_HEADER,
  IPV6_HEADER,
  IcmpPortUnreachable,
  MAX_DATA_IPV4,
  MAX_DATA_IPV6,
  PROTOCOL_ICMP,
  PROTOCOL_ICMPV6,
  PROTOCOL_UDP,
  UDP_HEADER,
  UdpDatagram,
} from './payload.ts';
export type {
  DatagramHandler,
  UdpBindRequest,
  UdpEndpoint,
  UdpPort,
  UdpSendFailure,
} from './port.ts';
export type { UdpRecord } from './records.ts';
export { UdpStack, type UdpHost, type UdpOptions } from './stack.ts';
