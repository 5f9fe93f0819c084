/**
 * Report formats (docs/design.md#layers, #scenarios-cli-and-reports): for now the classic pcap of
 * the segments on the wire (docs/tcp.md#capture-format). JSON lines, the HTML timeline and Mermaid
 * will join it here.
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
export { PcapCapture, type CaptureOptions } from './capture.ts';
export {
  TIMELINE_CSP,
  TimelineRecorder,
  timelineHtml,
  type DrawnChoice,
  type TimelineHost,
  type TimelineInput,
} from './timeline/index.ts';
