/**
 * A datagram echo over a link that loses 20% and duplicates 10% of packets each way
 * (docs/model.md#datagram-sockets). The server driver binds a datagram socket to port 7 and
 * echoes each datagram WskReceiveFromEvent indicates with WskSendTo, from inside the callback
 * (STATUS_SUCCESS: the list is consumed). The client driver sends eight numbered requests one at
 * a time; for each it posts a WskReceiveFrom and waits up to 100 ms, sending the request again on
 * a timeout (nothing retransmits a datagram but the driver). A reply whose number is not the
 * request's (a duplicate, or the echo of a request sent twice) is discarded and another
 * WskReceiveFrom posted. The check: every request got its own reply, in order, no driver error,
 * every IRP completed once; the goals name a retry and a discarded stale reply.
 *
 *   npx wsksim run datagram-echo --seed 2 --pcap echo.pcap
 */
import {
  AF_INET,
  IPPROTO_UDP,
  IRP,
  KEVENT,
  Executive,
  IO_NO_INCREMENT,
  KernelMode,
  NPI_WSK_INTERFACE_ID,
  NormalPagePriority,
  NotificationEvent,
  SOCK_DGRAM,
  SOL_SOCKET,
  SO_WSK_EVENT_CALLBACK,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  STATUS_TIMEOUT,
  WSK_EVENT_RECEIVE_FROM,
  WSK_FLAG_DATAGRAM_SOCKET,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  WskSetOption,
  defineScenario,
  sockaddr,
  statusName,
  type IO_COMPLETION_ROUTINE,
  type Kernel,
  type PWSK_SOCKET,
  type Simulation,
  type WSK_CLIENT_DATAGRAM_DISPATCH,
  type WSK_PROVIDER_DATAGRAM_DISPATCH,
  type WSK_PROVIDER_DISPATCH,
} from 'wsksim';
import {
  checkNoErrors,
  closeSocket,
  completed,
  register,
  sleep,
  syncCaller,
} from './support/driver.ts';

const REQUESTS = 8;
const TIMEOUT_MS = 100;
const TRIES = 30;
/** The server closes at this virtual time, well after the client is done. */
const SERVER_MS = 20_000;

export interface Handles {
  readonly calls: Map<IRP, number>;
  readonly errors: string[];
  /** The reply each request got, in order. */
  readonly replies: string[];
  readonly unloaded: Set<string>;
  retries: number;
  stale: number;
}

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

/** A datagram socket of the driver, bound to `local`; null after noting an error. */
async function datagramSocket(
  k: Kernel,
  h: Handles,
  Npi: WSK_PROVIDER_NPI,
  local: string,
  Dispatch: WSK_CLIENT_DATAGRAM_DISPATCH | null,
): Promise<PWSK_SOCKET | null> {
  const sync = syncCaller(k, h.calls);
  const Provider = Npi.Dispatch as WSK_PROVIDER_DISPATCH;
  const made = completed(k, await sync((Irp) => Provider.WskSocket(
    Npi.Client!, AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, null, Dispatch,
    null, null, null, Irp,
  )));
  if (made.Status !== STATUS_SUCCESS) {
    h.errors.push(`WskSocket: ${statusName(made.Status)}`);
    return null;
  }
  const Socket = made.Information as PWSK_SOCKET;
  const D = Socket.Dispatch as WSK_PROVIDER_DATAGRAM_DISPATCH;
  const bound = completed(k, await sync((Irp) => D.WskBind(Socket, sockaddr(local), 0, Irp)));
  if (bound.Status !== STATUS_SUCCESS) h.errors.push(`WskBind: ${statusName(bound.Status)}`);
  return Socket;
}

/** The server: echo every indicated datagram from inside WskReceiveFromEvent. */
function serverDriver(h: Handles) {
  return async (k: Kernel): Promise<void> => {
    const Registration = new WSK_REGISTRATION();
    const Npi = new WSK_PROVIDER_NPI();
    await register(k, Registration, Npi);
    let Socket: PWSK_SOCKET | null = null;
    // A send's IRP and MDL are freed by its completion routine.
    const SendComplete: IO_COMPLETION_ROUTINE = (_device, Irp, Context) => {
      h.calls.set(Irp, (h.calls.get(Irp) ?? 0) + 1);
      if (Irp.IoStatus.Status !== STATUS_SUCCESS) {
        h.errors.push(`echo WskSendTo: ${statusName(Irp.IoStatus.Status)}`);
      }
      k.IoFreeMdl(Context as NonNullable<ReturnType<Kernel['IoAllocateMdl']>>);
      k.IoFreeIrp(Irp);
      return STATUS_MORE_PROCESSING_REQUIRED;
    };
    const Dispatch: WSK_CLIENT_DATAGRAM_DISPATCH = {
      WskReceiveFromEvent: (_context, _flags, Indication) => {
        for (let item = Indication; item !== null && Socket !== null; item = item.Next) {
          const bytes = k.MmGetSystemAddressForMdlSafe(item.Buffer.Mdl!, NormalPagePriority);
          if (bytes === null) continue;
          const copy = bytes.slice(item.Buffer.Offset, item.Buffer.Offset + item.Buffer.Length);
          const Irp = k.IoAllocateIrp(1, false);
          const Mdl = Irp ? k.IoAllocateMdl(copy, copy.length, false, false, null) : null;
          if (!Irp || !Mdl) {
            if (Irp) k.IoFreeIrp(Irp);
            continue; // no echo this time: the client sends again
          }
          k.IoSetCompletionRoutine(Irp, SendComplete, Mdl, true, true, true);
          const D = Socket.Dispatch as WSK_PROVIDER_DATAGRAM_DISPATCH;
          const Remote = { ...item.RemoteAddress };
          D.WskSendTo(Socket, { Mdl, Offset: 0, Length: copy.length }, 0, Remote, 0, null, Irp);
        }
        return STATUS_SUCCESS;
      },
    };
    Socket = await datagramSocket(k, h, Npi, '0.0.0.0:7', Dispatch);
    if (Socket !== null) {
      const D = Socket.Dispatch as WSK_PROVIDER_DATAGRAM_DISPATCH;
      const control = { NpiId: NPI_WSK_INTERFACE_ID, EventMask: WSK_EVENT_RECEIVE_FROM };
      const Status = D.WskControlSocket(
        Socket, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, 16, control, 0, null, null, null,
      );
      if (Status !== STATUS_SUCCESS) h.errors.push(`enable: ${statusName(Status)}`);
      await sleep(k, SERVER_MS);
      const Closing = Socket;
      Socket = null;
      await closeSocket(k, syncCaller(k, h.calls), Closing);
    }
    k.WskReleaseProviderNPI(Registration);
    await k.WskDeregister(Registration);
    h.unloaded.add('server');
  };
}

/** The client: each request until its own reply comes, resent every TIMEOUT_MS. */
export function clientDriver(sim: Simulation, h: Handles) {
  return async (k: Kernel): Promise<void> => {
    const Registration = new WSK_REGISTRATION();
    const Npi = new WSK_PROVIDER_NPI();
    await register(k, Registration, Npi);
    const Socket = await datagramSocket(k, h, Npi, '0.0.0.0:0', null);
    if (Socket !== null) {
      await requests(k, h, Socket);
      sim.sometimes('a request was sent again', h.retries > 0);
      sim.sometimes('a stale reply was discarded', h.stale > 0);
      await closeSocket(k, syncCaller(k, h.calls), Socket);
    }
    k.WskReleaseProviderNPI(Registration);
    await k.WskDeregister(Registration);
    h.unloaded.add('client');
  };
}

async function requests(k: Kernel, h: Handles, Socket: PWSK_SOCKET): Promise<void> {
  const D = Socket.Dispatch as WSK_PROVIDER_DATAGRAM_DISPATCH;
  const Done = new KEVENT();
  // The receive IRP is reused (IoReuseIrp): its completions are counted per use, in `uses`.
  let uses = 0;
  const ReceiveComplete: IO_COMPLETION_ROUTINE = () => {
    uses--;
    k.KeSetEvent(Done, IO_NO_INCREMENT, false);
    return STATUS_MORE_PROCESSING_REQUIRED;
  };
  const sync = syncCaller(k, h.calls);
  const reply = new Uint8Array(64);
  const ReplyMdl = k.IoAllocateMdl(reply, reply.length, false, false, null);
  const Irp = k.IoAllocateIrp(1, false);
  if (!ReplyMdl || !Irp) {
    h.errors.push('no IRP or MDL for the receive');
    if (ReplyMdl) k.IoFreeMdl(ReplyMdl);
    if (Irp) k.IoFreeIrp(Irp);
    return;
  }
  const send = async (request: Uint8Array) => {
    const Mdl = k.IoAllocateMdl(request, request.length, false, false, null);
    if (!Mdl) return;
    const Buffer = { Mdl, Offset: 0, Length: request.length };
    const sent = completed(k, await sync((SendIrp) =>
      D.WskSendTo(Socket, Buffer, 0, sockaddr('10.0.0.2:7'), 0, null, SendIrp)));
    if (sent.Status !== STATUS_SUCCESS) h.errors.push(`WskSendTo: ${statusName(sent.Status)}`);
    k.IoFreeMdl(Mdl);
  };
  const receive = () => {
    k.KeInitializeEvent(Done, NotificationEvent, false);
    k.IoReuseIrp(Irp, STATUS_SUCCESS);
    k.IoSetCompletionRoutine(Irp, ReceiveComplete, null, true, true, true);
    uses++;
    D.WskReceiveFrom(Socket, { Mdl: ReplyMdl, Offset: 0, Length: reply.length }, 0, null, null,
      null, null, Irp);
  };
  let tries = 0;
  for (let n = 1; n <= REQUESTS && tries < TRIES; n++) {
    const request = text(`request ${n}`);
    await send(request);
    receive();
    for (tries = 1; tries < TRIES; ) {
      const waited = await k.KeWaitForSingleObject(Done, Executive, KernelMode, false,
        { QuadPart: -TIMEOUT_MS * 10_000 });
      if (waited === STATUS_TIMEOUT) {
        h.retries++;
        tries++;
        await send(request); // the receive stays posted
        continue;
      }
      if (Irp.IoStatus.Status !== STATUS_SUCCESS) {
        // A receive that fails fails again (an unbound socket: its bind's IRP could not be had).
        h.errors.push(`WskReceiveFrom: ${statusName(Irp.IoStatus.Status)}`);
        tries = TRIES;
        break;
      }
      const got = str(reply.subarray(0, Irp.IoStatus.Information as number));
      if (got === `request ${n}`) {
        h.replies.push(got);
        break;
      }
      h.stale++; // a duplicate, or the echo of an earlier try: post another receive
      receive();
    }
    if (tries >= TRIES) h.errors.push(`request ${n}: no reply after ${TRIES} tries`);
  }
  if (k.IoCancelIrp(Irp) || Irp.IoStatus.Status === STATUS_PENDING) {
    await k.KeWaitForSingleObject(Done, Executive, KernelMode, false, null);
  }
  if (uses !== 0) h.errors.push(`the receive IRP completed ${-uses} time(s) too many`);
  k.IoFreeIrp(Irp);
  k.IoFreeMdl(ReplyMdl);
}

/**
 * The hosts and the lossy link, the server `loadServer` loads (this file's, or the C build's:
 * datagram-echo-c.ts), then the client.
 */
export function buildDatagramEcho<H extends Handles>(
  sim: Simulation,
  h: H,
  loadServer: (sim: Simulation, h: H) => void,
): H {
  sim.addHost({ name: 'client', ipv4: '10.0.0.1' });
  sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
  sim.addLink('client', 'server', {
    latency: '10ms', loss: 0.2, duplicate: 0.1, reorderDelay: '15ms',
  });
  loadServer(sim, h);
  sim.load('client', clientDriver(sim, h));
  return h;
}

export const newHandles = (): Handles => ({
  calls: new Map(), errors: [], replies: [], unloaded: new Set(), retries: 0, stale: 0,
});

function build(sim: Simulation): Handles {
  return buildDatagramEcho(sim, newHandles(), (s, h) => s.load('server', serverDriver(h)));
}

/** The check both twins share (module header). */
export function checkDatagramEcho(sim: Simulation, h: Handles): void {
  checkNoErrors(h.errors);
  const wanted = Array.from({ length: REQUESTS }, (_, i) => `request ${i + 1}`);
  if (JSON.stringify(h.replies) !== JSON.stringify(wanted))
    throw new Error(`replies ${JSON.stringify(h.replies)}`);
  for (const [Irp, count] of h.calls) {
    if (count !== 1) throw new Error(`IRP ${Irp.id} completed ${count} times`);
  }
  for (const host of ['client', 'server']) {
    if (!h.unloaded.has(host)) throw new Error(`${host}: driver did not deregister`);
    if (sim.kernel(host).violations.length > 0)
      throw new Error(`${host}: ${JSON.stringify(sim.kernel(host).violations)}`);
  }
}

/** A campaign varies the kernel knobs and raises loss, duplication and reordering further. */
export const FUZZ = { links: { loss: [0, 0.3], duplicate: [0, 0.3], reorder: [0, 0.2] } } as const;

export default defineScenario({
  name: 'datagram-echo',
  description:
    'A WskSendTo / WskReceiveFrom client retries numbered requests to a WskReceiveFromEvent ' +
    'echo server under 20% loss and 10% duplication, discarding stale replies',
  seeds: [1, 2, 3, 4],
  build,
  check: ({ sim }, h) => checkDatagramEcho(sim, h),
  limits: { time: '1m' },
  // A campaign varies the kernel knobs and raises loss, duplication and reordering further.
  fuzz: FUZZ,
});
