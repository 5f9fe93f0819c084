/**
 * Report formats (docs/design.md#layers, #scenarios-cli-and-reports): captures of the packets on
 * the wire as classic pcap and pcapng (docs/tcp.md#capture-format), the trace as JSON lines, and
 * the run as a Mermaid sequence diagram.
 */
export {
  LINKTYPE_RAW,
  PCAP_GLOBAL_HEADER_BYTES,
  PCAP_MAGIC_MICROSECONDS,
  PCAP_MAGIC_NANOSECONDS,
  PCAP_RECORD_HEADER_BYTES,
  PCAP_SNAPLEN,
  PCAP_VERSION_MAJOR,
  PCAP_VERSION_MINOR,
  PcapWriter,
  SegmentCapture,
  pcapFromSegments,
  readPcap,
  type PcapHeader,
  type PcapRecord,
  type SegmentRecord,
} from './pcap.ts';
export { PacketEncoder, PcapCapture, PcapngCapture, type CaptureOptions } from './capture.ts';
export { UDP_HEADER_BYTES, encodeDatagram, payloadPorts } from './datagram.ts';
export {
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_EPB,
  PCAPNG_IDB,
  PCAPNG_SHB,
  PcapngWriter,
  readPcapng,
  type PcapngInterface,
  type PcapngInterfaceRecord,
  type PcapngPacketRecord,
} from './pcapng.ts';
export {
  escapeMermaid,
  mermaidDiagram,
  type MermaidOptions,
  type MermaidWorld,
} from './mermaid.ts';
export { RECORD_FIELDS, traceJsonLine, traceJsonLines } from './trace-json.ts';
export {
  TIMELINE_CSP,
  TimelineRecorder,
  timelineHtml,
  timelineMarkup,
  type DrawnChoice,
  type TimelineHost,
  type TimelineInput,
} from './timeline/index.ts';
