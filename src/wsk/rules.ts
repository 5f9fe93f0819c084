/**
 * The WSK layer's verifier rules: registration and capture, sockets, callbacks, conditional
 * accept, and the provider's end-of-run checks. Declared `as const` so `k.violation('…')` and
 * `k.advisory('…')` accept only these ids and the kernel's (nt/rules.ts), each in its own
 * channel. Order: registration, sockets, callbacks, conditional accept, liveness and leaks.
 */
import {
  catalogueOf,
  NT_RULES,
  type LayeredRule,
  type NtAdvisoryId,
  type NtViolationId,
  type RuleIdOf,
  type VerifierRule,
} from '../nt/index.ts';

export const WSK_RULE_LIST = [
  // ---- WSK registration (wsk.md §1, §3.3) ----------------------------------------------------
  {
    id: 'WSK-REGISTRATION-INVALID',
    channel: 'violation',
    summary: 'A WSK_REGISTRATION not registered on this host is used.',
    source: 'wsk.md §1.1, §1.2; WDK WskRegister, WskReleaseProviderNPI',
  },
  {
    id: 'WSK-REGISTRATION-IN-USE',
    channel: 'violation',
    summary: 'WskRegister is called on a WSK_REGISTRATION that is still registered.',
    source: 'wsk.md §1.2; WDK WskRegister',
  },
  {
    id: 'WSK-REGISTER-INPUT',
    channel: 'advisory',
    summary: 'WskRegister is given a NULL client Dispatch, or a non-zero Reserved field.',
    source: 'wsk.md §1.1; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-DEREGISTER-TWICE',
    channel: 'violation',
    summary: 'WskDeregister is called a second time for one WskRegister.',
    source: 'wsk.md §1.2; WDK WskDeregister',
  },
  {
    id: 'WSK-RELEASE-WITHOUT-CAPTURE',
    channel: 'violation',
    summary: 'WskReleaseProviderNPI is called with no successful capture outstanding.',
    source: 'wsk.md §1.2; WDK WskReleaseProviderNPI',
  },
  {
    id: 'WSK-CALL-AFTER-RELEASE',
    channel: 'violation',
    summary: 'A WSK_PROVIDER_DISPATCH function is called after its capture was released.',
    source: 'wsk.md §1.2; WDK WskReleaseProviderNPI',
  },
  {
    id: 'WSK-CLIENT-INVALID',
    channel: 'violation',
    summary: "A Client argument is not a PWSK_CLIENT of this host's registrations.",
    source: 'wsk.md §1.1 (WSK_PROVIDER_NPI)',
  },
  {
    id: 'WSK-CONTROL-CLIENT-INPUT',
    channel: 'advisory',
    summary: 'WskControlClient is given a bad argument (an IRP that must be NULL, a bad buffer).',
    source: 'wsk.md §3.3; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-RELEASE-SD-UNKNOWN',
    channel: 'violation',
    summary: 'WSK_RELEASE_SD releases a descriptor the client has not cached, or released already.',
    source: 'wsk.md §3.3',
  },
  {
    id: 'WSK-SD-RELEASED-IN-USE',
    channel: 'violation',
    summary: 'WSK_RELEASE_SD releases a cached descriptor while an IRP given it is still pending.',
    source: 'wsk.md §3.1, §3.3',
  },

  // ---- WSK sockets (wsk.md §2, §3, §6.5, §7) -------------------------------------------------
  {
    id: 'WSK-SOCKET-INVALID',
    channel: 'violation',
    summary: "A Socket argument is not one of this host's WSK_SOCKETs.",
    source: 'wsk.md §3.0, §3.13',
  },
  {
    id: 'WSK-CALL-AFTER-CLOSE',
    channel: 'violation',
    summary: 'A socket function is called after WskCloseSocket on that socket.',
    source: 'wsk.md §3.13, §6.5, §9.5; DESIGN §5',
  },
  {
    id: 'WSK-CLOSE-DURING-CALL',
    channel: 'violation',
    summary: 'WskCloseSocket is called while another call on the socket has not returned.',
    source: 'wsk.md §3.13, §6.5, §9.5; DESIGN §5',
  },
  {
    id: 'WSK-WRONG-DISPATCH',
    channel: 'violation',
    summary: "A socket function is called through another category's dispatch table.",
    source: 'wsk.md §2.2, §9.10; DESIGN §5',
  },
  {
    id: 'WSK-RESERVED-FLAGS',
    channel: 'advisory',
    summary: 'A reserved Flags argument is not 0.',
    source: 'wsk.md §3.0; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-SOCKET-FLAGS',
    channel: 'advisory',
    summary: 'WskSocket is given Flags that are not one socket category.',
    source: 'wsk.md §2.1, §3.1; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-FAMILY-MISMATCH',
    channel: 'advisory',
    summary: "An address argument is not of the socket's address family.",
    source: 'wsk.md §3.2, §3.6, §7.1, §7.2; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-DOUBLE-BIND',
    channel: 'advisory',
    summary: 'WskBind is called on a socket that is bound already.',
    source: 'wsk.md §3.4; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-CONNECT-TWICE',
    channel: 'advisory',
    summary: 'WskConnect is called on a socket that has connected already.',
    source: 'wsk.md §3.6; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-OPTION-NO-IRP',
    channel: 'advisory',
    summary: 'WskControlSocket sets or gets an option that needs an IRP without one.',
    source: 'wsk.md §3.12; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-OPTION-TIMING',
    channel: 'advisory',
    summary: 'An option is set after bind, or event callbacks are enabled before bind / connect.',
    source: 'wsk.md §3.12, §4.7, §9.19; DESIGN §4 (third row)',
  },
  {
    id: 'WSK-OPTION-INPUT',
    channel: 'advisory',
    summary: 'WskControlSocket is given a malformed or short option value.',
    source: 'wsk.md §3.12; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-OPTION-CONFLICT',
    channel: 'advisory',
    summary: 'SO_REUSEADDR and SO_EXCLUSIVEADDRUSE are both set on one socket.',
    source: 'wsk.md §3.12, §7.3; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-DATA-FLAGS',
    channel: 'advisory',
    summary: 'WskSend, WskReceive or WskDisconnect gets Flags it does not document, or a bad mix.',
    source: 'wsk.md §3.9–§3.11; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-BUF-INVALID',
    channel: 'advisory',
    summary: 'A WSK_BUF has no MDL, an Offset outside its first MDL or a Length past its chain.',
    source: 'wsk.md §3.0, §3.9, §3.10; wsk.h WSK_BUF; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-RELEASE-NOT-RETAINED',
    channel: 'violation',
    summary: 'WskRelease gets a list WskReceiveEvent did not retain, or one released already.',
    source: 'wsk.md §3.15, §4.5; WDK PFN_WSK_RELEASE_DATA_INDICATION_LIST',
  },
  {
    id: 'WSK-INDICATION-NOT-RELEASED',
    channel: 'violation',
    summary: 'Receive indications retained with STATUS_PENDING are never given back by WskRelease.',
    source: 'wsk.md §3.13, §3.15, §9.15; DESIGN §5 (socket)',
  },

  // ---- WSK callbacks (wsk.md §4) -------------------------------------------------------------
  {
    id: 'WSK-EVENT-ENABLE-IRP',
    channel: 'violation',
    summary: 'SO_WSK_EVENT_CALLBACK enables events with an IRP.',
    source: 'wsk.md §4.7, §9.19',
  },
  {
    id: 'WSK-EVENT-DISABLE-SEVERAL',
    channel: 'violation',
    summary: 'SO_WSK_EVENT_CALLBACK disables more than one event in one call.',
    source: 'wsk.md §4.7, §9.19',
  },
  {
    id: 'WSK-EVENT-INVALID',
    channel: 'advisory',
    summary: "An event mask is invalid for the socket's category, or disables a fixed event.",
    source: 'wsk.md §2.4, §4.7, §4.8; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-EVENT-STATIC',
    channel: 'advisory',
    summary: 'SO_WSK_EVENT_CALLBACK enables a static (or inherited) event again.',
    source: 'wsk.md §4.7, §4.8; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-EVENT-NO-CALLBACK',
    channel: 'advisory',
    summary: "An event is enabled whose entry in the client's dispatch table is NULL.",
    source: 'wsk.md §2.3, §4.7; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-ACCEPT-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskAcceptEvent returns other than STATUS_SUCCESS or STATUS_REQUEST_NOT_ACCEPTED.',
    source: 'wsk.md §4.2; DESIGN §5 (callbacks)',
  },
  {
    id: 'WSK-RECEIVE-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskReceiveEvent returns a status or BytesAccepted the documentation does not allow.',
    source: 'wsk.md §4.5; wsk.h PFN_WSK_RECEIVE_EVENT; DESIGN §5 (callbacks)',
  },
  {
    id: 'WSK-DISCONNECT-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskDisconnectEvent returns other than STATUS_SUCCESS.',
    source: 'wsk.md §4.6; wsk.h PFN_WSK_DISCONNECT_EVENT; DESIGN §5 (callbacks)',
  },
  {
    id: 'WSK-SEND-BACKLOG-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskSendBacklogEvent returns other than STATUS_SUCCESS.',
    source: 'wsk.md §4.6; wsk.h PFN_WSK_SEND_BACKLOG_EVENT; DESIGN §5 (callbacks)',
  },
  {
    id: 'WSK-CALLBACK-ADDRESS-AFTER-RETURN',
    channel: 'violation',
    summary: 'An address a callback was given is read or written after the callback returned.',
    source: 'wsk.md §4.2; DESIGN §5 (callbacks)',
  },


  // ---- conditional accept (wsk.md §4.3, §4.4, §5) --------------------------------------------
  {
    id: 'WSK-CONDITIONAL-NO-CALLBACK',
    channel: 'advisory',
    summary: 'SO_CONDITIONAL_ACCEPT is set on a socket without WskInspectEvent and WskAbortEvent.',
    source: 'wsk.md §2.3, §5.1; DESIGN §3 (bad arguments), §4',
  },
  {
    id: 'WSK-INSPECT-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskInspectEvent returns other than WskInspectAccept, WskInspectReject or Pend.',
    source: 'wsk.md §4.3; DESIGN §5 (callbacks)',
  },
  {
    id: 'WSK-ABORT-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskAbortEvent returns other than STATUS_SUCCESS.',
    source: 'wsk.md §4.4; DESIGN §5 (callbacks)',
  },
  {
    id: 'WSK-INSPECT-ID-AFTER-RETURN',
    channel: 'violation',
    summary: 'An inspect ID a callback was given is used after it returned (kept, not copied).',
    source: 'wsk.md §5.2, §9.1; DESIGN §5 (conditional accept)',
  },
  {
    id: 'WSK-INSPECT-COMPLETE-TWICE',
    channel: 'violation',
    summary: 'WskInspectComplete is called a second time for one inspect ID.',
    source: 'wsk.md §5.2; DESIGN §5 (conditional accept)',
  },
  {
    id: 'WSK-INSPECT-COMPLETE-ACTION',
    channel: 'violation',
    summary: 'WskInspectComplete is given an action other than accept or reject.',
    source: 'wsk.md §3.8; DESIGN §5 (conditional accept)',
  },
  {
    id: 'WSK-INSPECT-UNKNOWN-ID',
    channel: 'advisory',
    summary: 'WskInspectComplete names an inspect ID the listening socket never left pended.',
    source: 'wsk.md §5.2, §11.2; DESIGN §3 (unknown ID: STATUS_SUCCESS, nothing established)',
  },

  // ---- liveness and leaks at the end of a run -----------------------------------------------
  {
    id: 'WSK-INSPECTION-PENDED',
    channel: 'violation',
    summary: 'An inspection left pended is neither completed nor aborted after the settle phase.',
    source: 'DESIGN §5 (liveness: no inspection is pended); wsk.md §5.2',
  },
  {
    id: 'WSK-SOCKET-LEAKED',
    channel: 'violation',
    summary: 'A socket is still open after the settle phase.',
    source: 'DESIGN §5 (liveness); wsk.md §1.2, §6.5',
  },
  {
    id: 'WSK-NOT-DEREGISTERED',
    channel: 'violation',
    summary: 'A WskRegister has no WskDeregister that returned by the end of the settle phase.',
    source: 'DESIGN §5 (liveness); wsk.md §1.2',
  },
] as const satisfies readonly VerifierRule[];

export type WskViolationId = RuleIdOf<typeof WSK_RULE_LIST, 'violation'>;
export type WskAdvisoryId = RuleIdOf<typeof WSK_RULE_LIST, 'advisory'>;
/** Every id a WSK host's kernel may report, by channel. */
export type ViolationId = NtViolationId | WskViolationId;
export type AdvisoryId = NtAdvisoryId | WskAdvisoryId;

export const WSK_RULES = catalogueOf('wsk', WSK_RULE_LIST);

/** Every rule a host's kernel can report: the kernel's, then the provider's. */
export const RULES: ReadonlyMap<string, LayeredRule> = new Map([...NT_RULES, ...WSK_RULES]);

/** The rule with `id`, or undefined when no catalogue has it. */
export function ruleOf(id: string): LayeredRule | undefined {
  return RULES.get(id);
}
