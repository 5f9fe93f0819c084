/**
 * The topology layer: hosts with IPv4/IPv6 addresses, switches, routers and links with
 * latency, jitter, loss, duplication, reordering and bandwidth; shortest-path routing; fault
 * verbs and per-packet rules. It carries packets whose payload it never reads
 * (docs/design.md#layers).
 */
export {
  addressBytes,
  addressFamily,
  formatAddressBytes,
  formatEndpoint,
  isIPv4,
  isIPv6,
  parseAddress,
  parseEndpoint,
  parseIPv4,
  parseIPv6,
  type AddressFamily,
  type Endpoint,
} from './address.ts';
export type { Packet, Payload, SendFailure, SendResult, DropReason } from './packet.ts';
export type {
  JitterOptions,
  LinkDirectionOptions,
  LinkOptions,
  ResolvedDirection,
  ResolvedJitter,
  ResolvedLink,
} from './options.ts';
export { resolveLinkOptions } from './options.ts';
export type { NodeHandle, NodeKind } from './vertex.ts';
export { Host, HostTimer } from './host.ts';
export type { FaultVerb } from './faults.ts';
export {
  PASS,
  delayWhere,
  dropWhere,
  type Rule,
  type RuleContext,
  type RuleVerdict,
} from './rules.ts';
export {
  isFaultRecord,
  isPacketRecord,
  packetRecords,
  type FaultRecord,
  type NetRecord,
  type PacketPhase,
  type PacketRecord,
} from './records.ts';
export type { DirectionSnapshot, HostSnapshot, LinkSnapshot, NetworkSnapshot } from './netstat.ts';
export {
  Network,
  type FaultTiming,
  type HostOptions,
  type LinkInfo,
  type NodeRef,
} from './network.ts';
export type { PacketTap } from './world.ts';
