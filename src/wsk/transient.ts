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
  let live = true;
  let reported = false;
  const late = (access: string, key: string | symbol): void => {
    if (live || reported || typeof key === 'symbol' || key === 'then') return;
    reported = true; // the first late access is the report; the rest would repeat it
    const detail = `${what}.${key} ${access} after the callback returned`;
    k.violation(rule, detail, { socket });
  };
  const view = new Proxy(target, {
    get(object, key, receiver) {
      late('read', key);
      return Reflect.get(object, key, receiver) as unknown;
    },
    set(object, key, value, receiver) {
      late('written', key);
      return Reflect.set(object, key, value, receiver);
    },
  });
  return {
    view,
    revoke: () => {
      live = false;
    },
  };
}
