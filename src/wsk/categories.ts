/**
 * The socket categories (docs/model.md#sockets-and-dispatch-tables, #bind,
 * #enabling-and-disabling-events, #static-event-callbacks), one row each: the WskSocket Flags that
 * ask for it, the members of its provider dispatch table in wsk.h's order (only those that work),
 * the role its sockets have from creation, the events of that role, whether a bind makes it listen,
 * and the client dispatch table its Dispatch argument is. The modules that differ by category read
 * these rows, and dispatch-types.ts makes the WSK_PROVIDER_*_DISPATCH types from them.
 *
 * Datagram sockets (docs/model.md#datagram-sockets) have the last row: their table's WskRelease is
 * PFN_WSK_RELEASE_DATAGRAM_INDICATION_LIST (datagram-types.ts types the table).
 */
import {
  WSK_EVENT_ACCEPT,
  WSK_EVENT_DISCONNECT,
  WSK_EVENT_RECEIVE,
  WSK_EVENT_RECEIVE_FROM,
  WSK_EVENT_SEND_BACKLOG,
  WSK_FLAG_BASIC_SOCKET,
  WSK_FLAG_CONNECTION_SOCKET,
  WSK_FLAG_DATAGRAM_SOCKET,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_FLAG_STREAM_SOCKET,
} from './address.ts';

/** A connection's events: enabled on it, or on a listening socket for the sockets it accepts. */
const CONNECTION_EVENTS = WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_SEND_BACKLOG;

/**
 * The client dispatch tables a WskSocket Dispatch can be, by their wsk.h names
 * (docs/model.md#client-dispatch-tables).
 */
type ClientDispatchName =
  | 'WSK_CLIENT_LISTEN_DISPATCH'
  | 'WSK_CLIENT_CONNECTION_DISPATCH'
  | 'WSK_CLIENT_STREAM_DISPATCH'
  | 'WSK_CLIENT_DATAGRAM_DISPATCH';

/** What one category is. */
interface CategoryRow {
  /** WskSocket's Flags for it (WSK_FLAG_*_SOCKET, docs/model.md#categories). */
  readonly flags: number;
  /**
   * The members of its provider dispatch table, in wsk.h's order
   * (docs/model.md#provider-dispatch-tables).
   */
  readonly members: readonly string[];
  /** Its sockets' role from creation: a category's name; a stream socket's comes later. */
  readonly role: string | null;
  /**
   * The events a socket in this role enables for itself (docs/model.md#events-per-category); those
   * of them among the client's static events (docs/model.md#static-event-callbacks) are on from
   * creation.
   */
  readonly events: number;
  /**
   * Events it enables for the sockets it accepts, which inherit them
   * (docs/model.md#enabling-and-disabling-events).
   */
  readonly inherits: number;
  /** A bind makes it listen: it has no WskListen (docs/model.md#bind). */
  readonly listensOnBind: boolean;
  /**
   * The client dispatch table its Dispatch is (docs/model.md#client-dispatch-tables); null: it has
   * no callbacks.
   */
  readonly clientDispatch: ClientDispatchName | null;
}

/** The categories (WSK_PROVIDER_*_DISPATCH members in wsk.h's order). */
export const SOCKET_CATEGORIES = {
  basic: {
    flags: WSK_FLAG_BASIC_SOCKET,
    members: ['WskControlSocket', 'WskCloseSocket'],
    role: null,
    events: 0,
    inherits: 0,
    listensOnBind: false,
    clientDispatch: null,
  },
  listen: {
    flags: WSK_FLAG_LISTEN_SOCKET,
    members: [
      'WskControlSocket',
      'WskCloseSocket',
      'WskBind',
      'WskAccept',
      'WskInspectComplete',
      'WskGetLocalAddress',
    ],
    role: 'listen',
    events: WSK_EVENT_ACCEPT,
    inherits: CONNECTION_EVENTS,
    listensOnBind: true,
    clientDispatch: 'WSK_CLIENT_LISTEN_DISPATCH',
  },
  connection: {
    flags: WSK_FLAG_CONNECTION_SOCKET,
    members: [
      'WskControlSocket',
      'WskCloseSocket',
      'WskBind',
      'WskConnect',
      'WskGetLocalAddress',
      'WskGetRemoteAddress',
      'WskSend',
      'WskReceive',
      'WskDisconnect',
      'WskRelease',
    ],
    role: 'connection',
    events: CONNECTION_EVENTS,
    inherits: 0,
    listensOnBind: false,
    clientDispatch: 'WSK_CLIENT_CONNECTION_DISPATCH',
  },
  stream: {
    flags: WSK_FLAG_STREAM_SOCKET,
    members: [
      'WskControlSocket',
      'WskCloseSocket',
      'WskBind',
      'WskAccept',
      'WskConnect',
      'WskListen',
      'WskSend',
      'WskReceive',
      'WskDisconnect',
      'WskRelease',
      'WskGetLocalAddress',
      'WskGetRemoteAddress',
    ],
    role: null,
    events: 0,
    inherits: 0,
    listensOnBind: false,
    clientDispatch: 'WSK_CLIENT_STREAM_DISPATCH',
  },
  datagram: {
    flags: WSK_FLAG_DATAGRAM_SOCKET,
    members: [
      'WskControlSocket',
      'WskCloseSocket',
      'WskBind',
      'WskSendTo',
      'WskReceiveFrom',
      'WskRelease',
      'WskGetLocalAddress',
      'WskSendMessages',
    ],
    role: 'datagram',
    events: WSK_EVENT_RECEIVE_FROM,
    inherits: 0,
    listensOnBind: false,
    clientDispatch: 'WSK_CLIENT_DATAGRAM_DISPATCH',
  },
} as const satisfies Readonly<Record<string, CategoryRow>>;

export type SocketCategory = keyof typeof SOCKET_CATEGORIES;

/** A socket's role once decided: a stream socket has none until WskListen / WskConnect. */
export type SocketRole = (typeof SOCKET_CATEGORIES)[SocketCategory]['role'];

/** A member of some category's provider dispatch table. */
export type ProviderMemberName = (typeof SOCKET_CATEGORIES)[SocketCategory]['members'][number];

/** The categories' names, in the table's order. */
export const SOCKET_CATEGORY_NAMES = Object.keys(SOCKET_CATEGORIES) as readonly SocketCategory[];

/** WskSocket Flags of a category the model does not have yet: STATUS_NOT_SUPPORTED (none now). */
export const LATER_CATEGORY_FLAGS: readonly number[] = [];

/** A record with one entry per category, made by `entry`. */
export function byCategory<T>(
  entry: (category: SocketCategory) => T,
): Readonly<Record<SocketCategory, T>> {
  const record = {} as Record<SocketCategory, T>;
  for (const category of SOCKET_CATEGORY_NAMES) record[category] = entry(category);
  return record;
}

/** The category of each WskSocket Flags value (an object, read with the Flags as its key). */
const CATEGORY_OF_FLAGS: Readonly<Record<number, SocketCategory>> = Object.fromEntries(
  SOCKET_CATEGORY_NAMES.map((category) => [SOCKET_CATEGORIES[category].flags, category]),
);

/** The category WskSocket's Flags ask for; undefined when they name none the model has. */
export function categoryOfFlags(Flags: number): SocketCategory | undefined {
  return CATEGORY_OF_FLAGS[Flags];
}

/** Whether `category`'s provider dispatch table has `member`. */
export function hasMember(category: SocketCategory, member: ProviderMemberName): boolean {
  return (SOCKET_CATEGORIES[category].members as readonly string[]).includes(member);
}

/** Of the client's static events (`staticMask`), those a new socket of `category` starts with. */
export function startingEvents(category: SocketCategory, staticMask: number): number {
  return staticMask & SOCKET_CATEGORIES[category].events;
}

/** The events a socket in `role` may enable: its own and those it hands to accepted sockets. */
export function roleEvents(role: SocketRole): number {
  if (role === null) return 0;
  const row = SOCKET_CATEGORIES[role];
  return row.events | row.inherits;
}
