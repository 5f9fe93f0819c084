/**
 * Objects a callback may use only while it runs (docs/model.md#wskacceptevent: WskAcceptEvent's
 * LocalAddress and RemoteAddress "are valid only during the call"; #conditional-accept the same for
 * WskInspectEvent's). The callback gets a view of the object; once the callback has returned the
 * view is revoked, and any later read or write through it is the violation
 * WSK-CALLBACK-ADDRESS-AFTER-RETURN, caught at the access with the driver's file:line
 * (docs/design.md#callback-rules), once per view; for WskInspectEvent's and WskAbortEvent's
 * InspectID the rule is WSK-INSPECT-ID-AFTER-RETURN (a driver that keeps the pointer instead of
 * copying the ID, docs/model.md#inspect-pend-complete-abort; #pitfalls-and-races, pitfall 1). The
 * access still answers with the old content, so the run ends cleanly after the current event rather
 * than in a TypeError of the model's making.
 *
 * A driver that copies what it needs during the call (`{ ...RemoteAddress }`, a field read into
 * a local) is unaffected: only the view is revoked, never the copy.
 */
import type { WskKernelCore } from './provider-kernel.ts';
import type { ViolationId } from './rules.ts';

export interface Transient<T extends object> {
  /** What the callback receives. */
  readonly view: T;
  /** The callback returned: from now on every access through `view` is a violation. */
  revoke(): void;
}

/**
 * A revocable view of `target`; `what` names it in the report, `socket` is its socket's id,
 * `rule` the violation of a late access (an inspect ID has its own, WSK-INSPECT-ID-AFTER-RETURN).
 */
export function transient<T extends object>(
  k: WskKernelCore,
  target: T,
  what: string,
  socket: number,
  rule: ViolationId = 'WSK-CALLBACK-ADDRESS-AFTER-RETURN',
): Transient<T> {
  return new RevocableView(target, new LateAccess(k, what, socket, rule));
}

// Two plain objects per view, their functions on the prototypes: a callback makes up to three
// views, and closures made per view (each named under tsx) cost more than the callback itself.
class RevocableView<T extends object> implements Transient<T> {
  readonly view: T;
  readonly #handler: LateAccess<T>;

  constructor(target: T, handler: LateAccess<T>) {
    this.view = new Proxy(target, handler);
    this.#handler = handler;
  }

  revoke(): void {
    this.#handler.live = false;
  }
}

/** The view's proxy handler: reports the first access after the callback returned. */
class LateAccess<T extends object> implements ProxyHandler<T> {
  live = true;
  #reported = false;
  readonly #k: WskKernelCore;
  readonly #what: string;
  readonly #socket: number;
  readonly #rule: ViolationId;

  constructor(k: WskKernelCore, what: string, socket: number, rule: ViolationId) {
    this.#k = k;
    this.#what = what;
    this.#socket = socket;
    this.#rule = rule;
  }

  // The object is a SOCKADDR or an inspect ID, plain data properties: reading or writing it
  // directly is what the access through the proxy does, without V8's slow path for a proxy as
  // the receiver.
  get(object: T, key: string | symbol): unknown {
    this.#late('read', key);
    return Reflect.get(object, key) as unknown;
  }

  set(object: T, key: string | symbol, value: unknown): boolean {
    this.#late('written', key);
    return Reflect.set(object, key, value);
  }

  #late(access: string, key: string | symbol): void {
    if (this.live || this.#reported || typeof key === 'symbol' || key === 'then') return;
    this.#reported = true; // the first late access is the report; the rest would repeat it
    const detail = `${this.#what}.${key} ${access} after the callback returned`;
    this.#k.violation(this.#rule, detail, { socket: this.#socket });
  }
}
