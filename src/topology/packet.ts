/**
 * What topology carries: a packet whose payload it never reads
 * (docs/design.md#layering-and-dependency-direction, after TigerBeetle's packet simulator and
 * turmoil's fabric). Source and target are canonical IP address strings ('10.0.0.1', 'fd00::1');
 * `bytes` is the size on the wire, which bandwidth and queue limits use; the payload belongs to the
 * layer above and only describes itself for traces.
 */

/** The upper layer's content of a packet. */
export interface Payload {
  /** One line for traces, e.g. 'SYN seq=0 win=65535'. Called only when records are kept. */
  describe(): string;
  /** A cheap integer summary folded into the trace hash (e.g. seq ^ ack ^ flags). */
  readonly digest?: number;
  /**
   * The IP protocol number of a payload that goes to a host's receiver for that protocol
   * (`Host.onReceiveProtocol`; 17 for a UDP datagram, RFC 768); absent: the host's one default
   * receiver (its TCP stack).
   */
  readonly protocol?: number;
}

export interface Packet<P extends Payload = Payload> {
  /** Unique per simulation, in send order; a duplicate keeps its original's id. */
  readonly id: number;
  readonly source: string;
  readonly target: string;
  readonly bytes: number;
  readonly payload: P;
}

/** Why a packet could not be sent at all (it is traced as dropped with the same reason). */
export type SendFailure = 'no-route' | 'host-down' | 'not-local-address';

export type SendResult =
  | { readonly ok: true; readonly id: number }
  | { readonly ok: false; readonly reason: SendFailure };

/** Why a packet sent was not delivered. */
export type DropReason =
  | SendFailure
  | 'loss'
  | 'queue-full'
  | 'link-down'
  | 'partition'
  | 'host-crashed'
  | 'rule'
  | (string & {});
