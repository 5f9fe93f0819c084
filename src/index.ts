/**
 * wsksim's public surface. Start here: `Simulation` builds a world, `defineScenario` and
 * `runScenario` package one as a reproducible scenario. Each layer's own surface is its
 * folder's index.ts.
 */
export * from './sim/index.ts';
export * from './topology/index.ts';
export {
  ACK,
  FIN,
  PROFILE_NAMES,
  PSH,
  RST,
  SYN,
  TCP_STATES,
  TcpSegment,
  TcpStack,
  URG,
  flagNames,
  isSynchronized,
  profileDefaults,
  resolveProfile,
  type AbortResult,
  type ConnectError,
  type ConnectRequest,
  type ConnectResult,
  type ConnectionHandler,
  type DecideResult,
  type ListenError,
  type ListenMode,
  type ListenRequest,
  type ListenResult,
  type ListenerHandler,
  type Offer,
  type OfferAnswer,
  type Outcome,
  type ProfileName,
  type RejectAnswer,
  type Segment,
  type SendError,
  type TcpConnection,
  type TcpListener,
  type TcpOptions,
  type TcpProfile,
  type TcpProfileOptions,
  type TcpRecord,
  type TcpState,
  type WithdrawReason,
  type Endpoint as TcpEndpoint,
  type Failure as TcpFailure,
  type SendResult as TcpSendResult,
} from './tcp/index.ts';
export {
  IcmpPortUnreachable,
  UdpDatagram,
  UdpStack,
  type UdpOptions,
  type UdpPort,
  type UdpRecord,
} from './udp/index.ts';
export {
  PcapCapture,
  PcapngCapture,
  PcapngWriter,
  RECORD_FIELDS,
  escapeMermaid,
  mermaidDiagram,
  readPcap,
  readPcapng,
  traceJsonLines,
  type CaptureOptions,
  type MermaidOptions,
} from './report/index.ts';
export * from './wsk/index.ts';
export { Simulation, type SimulationOptions } from './simulation.ts';
export {
  CDriver,
  LinearHeap,
  type BlockKind,
  type HeapObserver,
  type LoadDriverOptions,
  type ScenarioHooks,
  type SourceLines,
} from './cdriver/index.ts';
export {
  defineScenario,
  runScenario,
  type RunRequest,
  type Scenario,
  type ScenarioDefinition,
  type ScenarioLimits,
  type ScenarioResult,
  type ScenarioRun,
  type ScenarioTestOptions,
} from './explore/scenario.ts';
export {
  expectScenarioPasses,
  fuzzScenario,
  type FuzzFinding,
  type FuzzOptions,
  type FuzzReport,
  type ScenarioPassOptions,
} from './explore/testing.ts';
