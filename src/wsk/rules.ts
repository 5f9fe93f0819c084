/**
 * The WSK layer's verifier rules: registration and capture, sockets, callbacks, conditional
 * accept, and the provider's end-of-run checks. Declared `as const` so `k.violation('…')` and
 * `k.advisory('…')` accept only these ids and the kernel's (nt/rules.ts), each in its own
 * channel. Order: registration, sockets, callbacks, conditional accept, liveness and leaks.
 *
 * A rule's `source` follows nt/rules.ts: the docs/ sections it rests on, then the Microsoft Learn
 * pages by their short title (`WskRegister (wsk.h)` is the page "WskRegister function (wsk.h)");
 * the URLs are in the Sources of docs/model.md.
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
  // ---- WSK registration (docs/model.md#registration-and-capture, #wskcontrolclient) ----------
  {
    id: 'WSK-REGISTRATION-INVALID',
    channel: 'violation',
    summary: 'A WSK_REGISTRATION not registered on this host is used.',
    source: 'docs/model.md#registration-and-capture; WskRegister, WskReleaseProviderNPI (wsk.h)',
  },
  {
    id: 'WSK-REGISTRATION-IN-USE',
    channel: 'violation',
    summary: 'WskRegister is called on a WSK_REGISTRATION that is still registered.',
    source: 'docs/model.md#registration-and-capture; WskRegister (wsk.h)',
  },
  {
    id: 'WSK-REGISTER-INPUT',
    channel: 'advisory',
    summary: 'WskRegister is given a NULL client Dispatch, or a non-zero Reserved field.',
    source:
      'docs/model.md#registration-and-capture; docs/policies.md#registration-and-capture-policies',
  },
  {
    id: 'WSK-DEREGISTER-TWICE',
    channel: 'violation',
    summary: 'WskDeregister is called a second time for one WskRegister.',
    source: 'docs/model.md#registration-and-capture; WskDeregister (wsk.h)',
  },
  {
    id: 'WSK-RELEASE-WITHOUT-CAPTURE',
    channel: 'violation',
    summary: 'WskReleaseProviderNPI is called with no successful capture outstanding.',
    source: 'docs/model.md#registration-and-capture; WskReleaseProviderNPI (wsk.h)',
  },
  {
    id: 'WSK-CALL-AFTER-RELEASE',
    channel: 'violation',
    summary: 'A WSK_PROVIDER_DISPATCH function is called after its capture was released.',
    source: 'docs/model.md#registration-and-capture; WskReleaseProviderNPI (wsk.h)',
  },
  {
    id: 'WSK-CLIENT-INVALID',
    channel: 'violation',
    summary: "A Client argument is not a PWSK_CLIENT of this host's registrations.",
    source: 'docs/model.md#registration-and-capture (WSK_PROVIDER_NPI)',
  },
  {
    id: 'WSK-CONTROL-CLIENT-INPUT',
    channel: 'advisory',
    summary: 'WskControlClient is given a bad argument (an IRP that must be NULL, a bad buffer).',
    source: 'docs/model.md#wskcontrolclient; docs/policies.md#registration-and-capture-policies',
  },
  {
    id: 'WSK-RELEASE-SD-UNKNOWN',
    channel: 'violation',
    summary: 'WSK_RELEASE_SD releases a descriptor the client has not cached, or released already.',
    source: 'docs/model.md#wskcontrolclient',
  },
  {
    id: 'WSK-SD-RELEASED-IN-USE',
    channel: 'violation',
    summary: 'WSK_RELEASE_SD releases a cached descriptor while an IRP given it is still pending.',
    source: 'docs/model.md#creating-sockets, #wskcontrolclient',
  },
  {
    id: 'WSK-SD-NOT-CACHED',
    channel: 'violation',
    summary:
      'WskSocket, WskSocketConnect or SO_WSK_SECURITY is given a security descriptor that is not ' +
      'a cached copy from WSK_CACHE_SD the client still holds.',
    source: 'docs/model.md#creating-sockets, #wskcontrolclient; WskSocketConnect (wsk.h)',
  },

  // ---- WSK sockets (docs/model.md#sockets-and-dispatch-tables to #close-and-cancellation) ----
  {
    id: 'WSK-SOCKET-INVALID',
    channel: 'violation',
    summary: "A Socket argument is not one of this host's WSK_SOCKETs.",
    source: 'docs/model.md#rules-common-to-every-call, #wskclosesocket',
  },
  {
    id: 'WSK-CALL-AFTER-CLOSE',
    channel: 'violation',
    summary: 'A socket function is called after WskCloseSocket on that socket.',
    source:
      'docs/model.md#wskclosesocket, #pitfalls-and-races (pitfall 5); docs/design.md#socket-rules',
  },
  {
    id: 'WSK-CLOSE-DURING-CALL',
    channel: 'violation',
    summary: 'WskCloseSocket is called while another call on the socket has not returned.',
    source:
      'docs/model.md#wskclosesocket, #pitfalls-and-races (pitfall 5); docs/design.md#socket-rules',
  },
  {
    id: 'WSK-WRONG-DISPATCH',
    channel: 'violation',
    summary: "A socket function is called through another category's dispatch table.",
    source: 'docs/model.md#provider-dispatch-tables, #pitfalls-and-races (pitfall 10)',
  },
  {
    id: 'WSK-RESERVED-FLAGS',
    channel: 'advisory',
    summary: 'A reserved Flags argument is not 0.',
    source:
      'docs/model.md#rules-common-to-every-call; docs/policies.md#socket-bind-and-connect-policies',
  },
  {
    id: 'WSK-SOCKET-FLAGS',
    channel: 'advisory',
    summary: 'WskSocket is given Flags that are not one socket category.',
    source: 'docs/model.md#creating-sockets; docs/policies.md#socket-bind-and-connect-policies',
  },
  {
    id: 'WSK-FAMILY-MISMATCH',
    channel: 'advisory',
    summary: "An address argument is not of the socket's address family.",
    source: 'docs/model.md#wskconnect, #bind; docs/policies.md#socket-bind-and-connect-policies',
  },
  {
    id: 'WSK-DOUBLE-BIND',
    channel: 'advisory',
    summary: 'WskBind is called on a socket that is bound already.',
    source: 'docs/model.md#bind; docs/policies.md#socket-bind-and-connect-policies',
  },
  {
    id: 'WSK-CONNECT-TWICE',
    channel: 'advisory',
    summary: 'WskConnect is called on a socket that has connected already.',
    source: 'docs/model.md#wskconnect; docs/policies.md#socket-bind-and-connect-policies',
  },
  {
    id: 'WSK-OPTION-NO-IRP',
    channel: 'advisory',
    summary: 'WskControlSocket sets or gets an option that needs an IRP without one.',
    source:
      'docs/model.md#socket-options-and-control; docs/policies.md#socket-bind-and-connect-policies',
  },
  {
    id: 'WSK-OPTION-TIMING',
    channel: 'advisory',
    summary: 'An option is set after bind, or event callbacks are enabled before bind / connect.',
    source: 'docs/model.md#socket-options-and-control; docs/design.md#status-violation-or-advisory',
  },
  {
    id: 'WSK-OPTION-INPUT',
    channel: 'advisory',
    summary: 'WskControlSocket is given a malformed or short option value.',
    source:
      'docs/model.md#socket-options-and-control; docs/policies.md#socket-bind-and-connect-policies',
  },
  {
    id: 'WSK-OPTION-CONFLICT',
    channel: 'advisory',
    summary: 'SO_REUSEADDR and SO_EXCLUSIVEADDRUSE are both set on one socket.',
    source:
      'docs/model.md#socket-options-and-control; docs/policies.md#socket-bind-and-connect-policies',
  },
  {
    id: 'WSK-DATA-FLAGS',
    channel: 'advisory',
    summary: 'WskSend, WskReceive or WskDisconnect gets Flags it does not document, or a bad mix.',
    source: 'docs/model.md#the-data-path; docs/policies.md#data-path-policies',
  },
  {
    id: 'WSK-BUF-INVALID',
    channel: 'advisory',
    summary: 'A WSK_BUF has no MDL, an Offset outside its first MDL or a Length past its chain.',
    source: 'docs/model.md#the-data-path; docs/policies.md#data-path-policies; WSK_BUF (wsk.h)',
  },
  {
    id: 'WSK-RELEASE-NOT-RETAINED',
    channel: 'violation',
    summary: 'WskRelease gets a list WskReceiveEvent did not retain, or one released already.',
    source:
      'docs/model.md#wskrelease, #wskreceiveevent; PFN_WSK_RELEASE_DATA_INDICATION_LIST (wsk.h)',
  },
  {
    id: 'WSK-INDICATION-NOT-RELEASED',
    channel: 'violation',
    summary: 'Receive indications retained with STATUS_PENDING are never given back by WskRelease.',
    source:
      'docs/model.md#wskrelease, #pitfalls-and-races (pitfall 15); docs/design.md#socket-rules',
  },

  // ---- WSK callbacks (docs/model.md#event-callbacks) -----------------------------------------
  // ---- datagram sockets (docs/model.md#datagram-sockets) --------------------------------------
  {
    id: 'WSK-DATAGRAM-UNBOUND',
    channel: 'advisory',
    summary: 'WskSendTo, WskSendMessages or WskReceiveFrom on a datagram socket not yet bound.',
    source: 'docs/model.md#datagram-sockets; docs/policies.md#datagram-policies',
  },
  {
    id: 'WSK-DATAGRAM-NO-ADDRESS',
    channel: 'advisory',
    summary: 'WskSendTo or WskSendMessages without a RemoteAddress (no fixed destination here).',
    source: 'docs/model.md#datagram-sockets; PFN_WSK_SEND_TO (wsk.h)',
  },
  {
    id: 'WSK-DATAGRAM-RELEASE-NOT-RETAINED',
    channel: 'violation',
    summary: 'WskRelease of a datagram indication list not retained, or released twice.',
    source:
      'docs/model.md#datagram-sockets; PFN_WSK_RELEASE_DATAGRAM_INDICATION_LIST (wsk.h)',
  },
  {
    id: 'WSK-DATAGRAM-INDICATION-NOT-RELEASED',
    channel: 'violation',
    summary: 'A datagram indication list retained with STATUS_PENDING is never given back.',
    source:
      'docs/model.md#datagram-sockets; PFN_WSK_RECEIVE_FROM_EVENT, ' +
      'PFN_WSK_RELEASE_DATAGRAM_INDICATION_LIST (wsk.h)',
  },
  {
    id: 'WSK-DATAGRAM-RECEIVE-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskReceiveFromEvent returns a status the documentation does not allow.',
    source: 'docs/model.md#datagram-sockets; PFN_WSK_RECEIVE_FROM_EVENT (wsk.h)',
  },
  {
    id: 'WSK-EVENT-ENABLE-IRP',
    channel: 'violation',
    summary: 'SO_WSK_EVENT_CALLBACK enables events with an IRP.',
    source: 'docs/model.md#enabling-and-disabling-events, #pitfalls-and-races (pitfall 19)',
  },
  {
    id: 'WSK-EVENT-DISABLE-SEVERAL',
    channel: 'violation',
    summary: 'SO_WSK_EVENT_CALLBACK disables more than one event in one call.',
    source: 'docs/model.md#enabling-and-disabling-events, #pitfalls-and-races (pitfall 19)',
  },
  {
    id: 'WSK-EVENT-INVALID',
    channel: 'advisory',
    summary: "An event mask is invalid for the socket's category, or disables a fixed event.",
    source: 'docs/model.md#events-per-category; docs/policies.md#socket-bind-and-connect-policies',
  },
  {
    id: 'WSK-EVENT-STATIC',
    channel: 'advisory',
    summary: 'SO_WSK_EVENT_CALLBACK enables a static (or inherited) event again.',
    source:
      'docs/model.md#static-event-callbacks; docs/policies.md#socket-bind-and-connect-policies',
  },
  {
    id: 'WSK-EVENT-NO-CALLBACK',
    channel: 'advisory',
    summary: "An event is enabled whose entry in the client's dispatch table is NULL.",
    source:
      'docs/model.md#client-dispatch-tables; docs/policies.md#socket-bind-and-connect-policies',
  },
  {
    id: 'WSK-ACCEPT-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskAcceptEvent returns other than STATUS_SUCCESS or STATUS_REQUEST_NOT_ACCEPTED.',
    source: 'docs/model.md#wskacceptevent; docs/design.md#callback-rules',
  },
  {
    id: 'WSK-RECEIVE-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskReceiveEvent returns a status or BytesAccepted the documentation does not allow.',
    source:
      'docs/model.md#wskreceiveevent; docs/design.md#callback-rules; PFN_WSK_RECEIVE_EVENT (wsk.h)',
  },
  {
    id: 'WSK-DISCONNECT-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskDisconnectEvent returns other than STATUS_SUCCESS.',
    source:
      'docs/model.md#wskdisconnectevent-and-wsksendbacklogevent; PFN_WSK_DISCONNECT_EVENT (wsk.h)',
  },
  {
    id: 'WSK-SEND-BACKLOG-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskSendBacklogEvent returns other than STATUS_SUCCESS.',
    source: 'docs/design.md#callback-rules; PFN_WSK_SEND_BACKLOG_EVENT (wsk.h)',
  },
  {
    id: 'WSK-CALLBACK-ADDRESS-AFTER-RETURN',
    channel: 'violation',
    summary: 'An address a callback was given is read or written after the callback returned.',
    source: 'docs/model.md#wskacceptevent; docs/design.md#callback-rules',
  },


  // ---- conditional accept (docs/model.md#conditional-accept) ---------------------------------
  {
    id: 'WSK-CONDITIONAL-NO-CALLBACK',
    channel: 'advisory',
    summary: 'SO_CONDITIONAL_ACCEPT is set on a socket without WskInspectEvent and WskAbortEvent.',
    source:
      'docs/model.md#turning-conditional-accept-on; docs/policies.md#conditional-accept-policies',
  },
  {
    id: 'WSK-INSPECT-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskInspectEvent returns other than WskInspectAccept, WskInspectReject or Pend.',
    source: 'docs/model.md#wskinspectevent; docs/design.md#conditional-accept-rules',
  },
  {
    id: 'WSK-ABORT-EVENT-RETURN',
    channel: 'violation',
    summary: 'WskAbortEvent returns other than STATUS_SUCCESS.',
    source: 'docs/model.md#wskabortevent; docs/design.md#callback-rules',
  },
  {
    id: 'WSK-INSPECT-ID-AFTER-RETURN',
    channel: 'violation',
    summary: 'An inspect ID a callback was given is used after it returned (kept, not copied).',
    source: 'docs/model.md#inspect-pend-complete-abort; docs/design.md#conditional-accept-rules',
  },
  {
    id: 'WSK-INSPECT-COMPLETE-TWICE',
    channel: 'violation',
    summary: 'WskInspectComplete is called a second time for one inspect ID.',
    source: 'docs/model.md#inspect-pend-complete-abort; docs/design.md#conditional-accept-rules',
  },
  {
    id: 'WSK-INSPECT-COMPLETE-ACTION',
    channel: 'violation',
    summary: 'WskInspectComplete is given an action other than accept or reject.',
    source: 'docs/model.md#wskinspectcomplete; docs/design.md#conditional-accept-rules',
  },
  {
    id: 'WSK-INSPECT-UNKNOWN-ID',
    channel: 'advisory',
    summary: 'WskInspectComplete names an inspect ID the listening socket never left pended.',
    source: 'docs/model.md#wskinspectcomplete; docs/policies.md#conditional-accept-policies',
  },

  // ---- liveness and leaks at the end of a run -----------------------------------------------
  {
    id: 'WSK-INSPECTION-PENDED',
    channel: 'violation',
    summary: 'An inspection left pended is neither completed nor aborted after the settle phase.',
    source:
      'docs/design.md#liveness-at-the-end-of-a-run; docs/model.md#inspect-pend-complete-abort',
  },
  {
    id: 'WSK-SOCKET-LEAKED',
    channel: 'violation',
    summary: 'A socket is still open after the settle phase.',
    source: 'docs/design.md#liveness-at-the-end-of-a-run; docs/model.md#registration-and-capture',
  },
  {
    id: 'WSK-NOT-DEREGISTERED',
    channel: 'violation',
    summary: 'A WskRegister has no WskDeregister that returned by the end of the settle phase.',
    source: 'docs/design.md#liveness-at-the-end-of-a-run; docs/model.md#registration-and-capture',
  },
  // ---- name resolution (issue 18; ids without WSK-: test/wsk/name-resolution.test.ts) --------
  {
    id: 'ADDRINFO-FREE-INVALID',
    channel: 'violation',
    summary:
      'WskFreeAddressInfo frees a list twice, or something WskGetAddressInfo did not return as a ' +
      'list head.',
    source: 'docs/model.md#name-resolution; WskFreeAddressInfo, WskGetAddressInfo (wsk.h)',
  },
  {
    id: 'ADDRINFO-LEAKED',
    channel: 'violation',
    summary: 'An ADDRINFOEXW list WskGetAddressInfo returned is never freed.',
    source: 'docs/design.md#liveness-at-the-end-of-a-run; docs/model.md#name-resolution',
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
