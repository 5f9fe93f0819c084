/**
 * The narrow port the TCP layer offers upward (docs/design.md#layers,
 * #layering-and-dependency-direction): connect, listen, accept notifications, send, receive,
 * shutdown and abort, plus notifications. src/wsk builds WskSocketConnect, WskAccept, WskSend,
 * WskReceive, WskDisconnect and the event callbacks on it.
 *
 * Error style (docs/design.md#three-error-channels): bad input at the port returns a small union
 * naming the error; it never throws from inside the stack. How a connection ends is an `Outcome`
 * (state.ts) delivered once through `onClosed`. Handlers are plain objects whose methods receive
 * the connection or listener, so one handler may serve many connections and no closure is made per
 * connection. Notifications never run inside the port call that caused them: they are delivered
 * when the stack finishes processing a segment or timer, or on a zero-delay event after a port
 * call.
 */
import type { DurationInput } from '../sim/index.ts';
import type { RejectAnswer } from './profiles.ts';
import type { Outcome, TcpState } from './state.ts';

/** An IP address in canonical form ('10.0.0.2', 'fd00::2') and a port. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export interface ConnectRequest {
  readonly remote: Endpoint;
  /**
   * Local address and/or port; the stack picks what is left out (ephemeral port, own address).
   * `shared`: the layer above lets this port be shared (WSK's SO_REUSEADDR): only the 4-tuple
   * must be unique, whatever the profile's portSharing, and a listener that shares the port
   * too does not keep the connection out.
   */
  readonly local?: { readonly address?: string; readonly port?: number; readonly shared?: boolean };
  /** The connection's `user` from the start (the layer above's socket object). */
  readonly user?: unknown;
}

export type ConnectError =
  | 'invalid-address' // malformed address, or the unspecified address as a target
  | 'invalid-port' // not an integer in 1..65535
  | 'address-not-local' // the local address is not one of the host's
  | 'family-mismatch' // local and remote families differ, or the host has no address of that family
  | 'address-in-use' // the local port (or the 4-tuple) is taken
  | 'no-ephemeral-port' // the ephemeral range is exhausted
  | 'invalid-argument' // the request or handler is not an object
  | 'host-down'; // the host is crashed

export type ConnectResult =
  | { readonly ok: true; readonly connection: TcpConnection }
  | { readonly ok: false; readonly error: ConnectError };

export type SendError =
  | 'not-connected' // the handshake has not completed
  | 'shut-down' // shutdown() was called already
  | 'closed' // the connection has ended
  | 'invalid-argument';

/** A send or shutdown request accepted: `id` comes back in `onAcknowledged` once acknowledged. */
export type SendResult =
  | { readonly ok: true; readonly id: number }
  | { readonly ok: false; readonly error: SendError };

export type AbortResult = { readonly ok: true } | { readonly ok: false; readonly error: 'closed' };

/** One connection as the layer above sees it. */
export interface TcpConnection {
  /** Unique per stack; also the id of the offer a deferred listener made for it. */
  readonly id: number;
  readonly state: TcpState;
  /** How it ended, once it has; null while it lives (TIME-WAIT counts as ended: 'closed'). */
  readonly outcome: Outcome | null;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** In-order bytes received and not yet read. */
  readonly readable: number;
  /** True once the peer's FIN has been received in order (no more data will arrive). */
  readonly peerFinished: boolean;
  /**
   * Free slot for the layer above (its socket object): ConnectRequest.user, or set by whoever
   * accepts the connection. The stack never looks inside; it hands it back (portUsers, where a
   * connection nobody accepted yet counts as its listener's user).
   */
  user: unknown;
  /**
   * Sets who gets this connection's notifications (for accepted connections); the new handler
   * hears at once (on a zero-delay event) of data waiting, a peer FIN, or the end.
   */
  setHandler(handler: ConnectionHandler): void;
  /**
   * Queues bytes for sending. The bytes are kept by reference until acknowledged (as a WSK
   * send's buffer belongs to its IRP until completion): do not modify them before `onAcknowledged`.
   */
  send(bytes: Uint8Array): SendResult;
  /** Up to `maxBytes` in-order received bytes (empty when none). */
  read(maxBytes?: number): Uint8Array;
  /** Up to `maxBytes` in-order received bytes, left unread (WSK's receive indications). */
  peek(maxBytes?: number): Uint8Array;
  /** Bytes queued by `send` that have not left once yet (WSK's send-on-transmit switch). */
  readonly unsent: number;
  /** Bytes the sender may keep in flight: min(largest peer window, profile sendWindowLimit). */
  readonly sendCapacity: number;
  /** Half-close: a FIN follows the queued data; its id is acknowledged when the FIN is. */
  shutdown(): SendResult;
  /**
   * Abortive close: RST where the state is synchronized, silence otherwise
   * (docs/tcp.md#transitions).
   */
  abort(): AbortResult;
}

/** Notifications about one connection; every method optional. */
export interface ConnectionHandler {
  /** The handshake completed (active open); passive connections are established when accepted. */
  onEstablished?(connection: TcpConnection): void;
  /** New in-order bytes can be read. */
  onData?(connection: TcpConnection): void;
  /** New data left in one or more segments (`unsent` went down). */
  onTransmitted?(connection: TcpConnection): void;
  /** Send request `id` (or the FIN of shutdown `id`) is acknowledged by the peer. */
  onAcknowledged?(connection: TcpConnection, id: number): void;
  /** The peer half-closed (its FIN arrived in order). */
  onPeerFin?(connection: TcpConnection): void;
  /** A valid RST arrived on an established connection (onClosed 'reset' follows). */
  onPeerReset?(connection: TcpConnection): void;
  /** The connection ended, once, with its outcome. */
  onClosed?(connection: TcpConnection, outcome: Outcome): void;
}

/** How a listener hands out connections. */
export type ListenMode =
  /** The stack completes handshakes itself and queues ready connections. */
  | 'immediate'
  /**
   * Each SYN is offered upward first; the answer decides (docs/design.md#layers, conditional
   * accept).
   */
  | 'deferred';

export interface ListenRequest {
  /**
   * Local port and address (omitted: every address; '0.0.0.0' / '::': every one of a family).
   * `shared`: the layer above lets this port be shared (WSK's SO_REUSEADDR): active opens that
   * share it too do not keep the listener out, nor it them; only the 4-tuple must be unique.
   */
  readonly local: { readonly address?: string; readonly port: number; readonly shared?: boolean };
  /** Queue limit (profile default: windows 200, linux 4096). */
  readonly backlog?: number;
  /** @defaultValue 'immediate' */
  readonly mode?: ListenMode;
  /** Deferred mode: how long an offer may stay 'later'. @defaultValue offerLifetime (30 s) */
  readonly offerLifetime?: DurationInput;
  /** Deferred mode: wire answer to a rejected offer. @defaultValue profile rejectAnswer ('rst') */
  readonly rejectAnswer?: RejectAnswer;
  /** The listener's `user` (the layer above's socket object). */
  readonly user?: unknown;
}

export type ListenError =
  | 'invalid-address' | 'invalid-port' | 'address-not-local' | 'address-in-use' | 'invalid-argument'
  | 'host-down';

export type ListenResult =
  | { readonly ok: true; readonly listener: TcpListener }
  | { readonly ok: false; readonly error: ListenError };

/** A connection request offered to the layer above by a deferred listener. */
export interface Offer {
  /** The id of the connection that accepting it creates. */
  readonly id: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

export type OfferAnswer = 'accept' | 'reject' | 'later';

/** Why an offer (answered 'later' or 'accept') disappeared before its connection was accepted. */
export type WithdrawReason =
  | 'expired' // the offer lifetime ran out while 'later'
  | 'reset' // the client sent a RST (or RST answered our SYN-ACK)
  | 'timed-out' // the SYN-ACK went unanswered until the half-open timeout
  | 'closed'; // the listener was closed

export type DecideResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: 'unknown-offer' | 'invalid-argument' };

export interface TcpListener {
  readonly id: number;
  readonly localAddress: string | null;
  readonly localPort: number;
  readonly mode: ListenMode;
  readonly closed: boolean;
  /** ListenRequest.user: the stack never looks inside; it hands it back (portUsers). */
  readonly user: unknown;
  /** Connections ready to accept. */
  readonly readyCount: number;
  /**
   * Takes the oldest ready connection (ESTABLISHED, not yet accepted), or null; with a handler,
   * sets it (and hears of data or a FIN that arrived before the accept).
   */
  accept(handler?: ConnectionHandler): TcpConnection | null;
  /** Answers an offer left 'later'. An unknown or withdrawn id establishes nothing. */
  decide(offerId: number, answer: 'accept' | 'reject'): DecideResult;
  /**
   * Stops listening: pending offers are withdrawn (onOfferWithdrawn 'closed', delivered before
   * close returns; nothing is sent), half-open children discarded silently, ready ones reset.
   */
  close(): void;
}

/** Notifications about one listener; every method optional. */
export interface ListenerHandler {
  /** A connection became ready; `accept()` takes it. */
  onReady?(listener: TcpListener): void;
  /** Deferred mode: a SYN arrived; answer now or 'later' (absent method: 'accept'). */
  onOffer?(listener: TcpListener, offer: Offer): OfferAnswer;
  /**
   * Deferred mode: an offer answered 'later' or 'accept' went away before it was accepted
   * (half-open, or ready in the queue and not yet taken by accept()).
   */
  onOfferWithdrawn?(listener: TcpListener, offer: Offer, reason: WithdrawReason): void;
}
