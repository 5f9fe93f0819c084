/**
 * The provider dispatch tables a socket's Dispatch points at, one per category, with wsk.h's
 * members in wsk.h's order (docs/model.md#provider-dispatch-tables; the rows of categories.ts).
 * Each member of a table is the category's own function, which checks two rules before the call
 * runs (docs/design.md#socket-rules):
 *
 * - WSK-WRONG-DISPATCH: the socket is of another category than the table's. A driver that
 *   keeps one socket's table and calls it with another socket, or casts a table to a layout
 *   its socket does not have (docs/model.md#pitfalls-and-races, pitfall 10), calls a function
 *   Windows defines only for the table's own category. The one cast that reads the same function
 *   (the socket's own table seen through another layout, as KSOCKET does for WskBind) reads it here
 *   too: the table is still the socket's.
 * - WSK-CLOSE-DURING-CALL: WskCloseSocket while another call on the same socket has not
 *   returned (docs/model.md#close-deregister-and-outstanding-irps; #pitfalls-and-races, pitfall 5).
 *   In a simulation that happens when a completion routine or callback run inside a call closes the
 *   socket the call is on; each member counts the calls of its socket that are running.
 *
 * A Socket that is not one of this host's open sockets goes straight to the member, whose
 * entry checks report it (socket-core.ts).
 */
import type { SocketCore } from './socket-core.ts';
import { STATUS_UNSUCCESSFUL, type NTSTATUS } from '../nt/index.ts';
import { SOCKET_CATEGORIES, type SocketCategory } from './categories.ts';
import type { ProviderDispatch, ProviderRoutines } from './dispatch-types.ts';
import { WSK_SOCKET, type PWSK_SOCKET } from './socket-state.ts';

type Member = (Socket: PWSK_SOCKET, ...rest: never[]) => NTSTATUS;

/** A frozen table of `category`: its row's members, each running its routine under the checks. */
export function dispatchTable<C extends SocketCategory>(
  core: SocketCore,
  category: C,
  routines: ProviderRoutines,
): ProviderDispatch<C> {
  const table: Record<string, Member> = {};
  for (const name of SOCKET_CATEGORIES[category].members) {
    table[name] = guarded(core, category, name, routines[name]);
  }
  return Object.freeze(table) as ProviderDispatch<C>;
}

function guarded(
  core: SocketCore,
  category: SocketCategory,
  name: string,
  member: Member,
): Member {
  return (Socket, ...rest) => {
    if (!(Socket instanceof WSK_SOCKET) || Socket.host !== core.k.host || Socket.state.closed) {
      return member(Socket, ...rest);
    }
    const state = Socket.state;
    if (state.category !== category) {
      const detail = `${name} of the ${category} table on ${state.category} socket #${state.id}`;
      core.k.violation('WSK-WRONG-DISPATCH', detail, { socket: state.id });
      return STATUS_UNSUCCESSFUL;
    }
    state.calls++;
    try {
      return member(Socket, ...rest);
    } finally {
      state.calls--;
    }
  };
}
