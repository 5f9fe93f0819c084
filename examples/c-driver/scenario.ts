/**
 * README "Testing your C driver": the C server of driver.c, built to driver.wasm, and a client
 * written in TypeScript, which connects to port 80 at 5 ms and closes at 50 ms.
 *
 *   npx wsksim build-driver driver.c -o driver.wasm
 *   npx wsksim run scenario.ts
 *   npx wsksim fuzz scenario.ts --runs 200
 */
import { fileURLToPath } from 'node:url';
import {
  Executive,
  IO_NO_INCREMENT,
  IPPROTO_TCP,
  KEVENT,
  KernelMode,
  MAKE_WSK_VERSION,
  NotificationEvent,
  SOCK_STREAM,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  WSK_INFINITE_WAIT,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  defineScenario,
  sockaddr,
  type IRP,
  type Kernel,
  type NTSTATUS,
  type PWSK_SOCKET,
  type WSK_PROVIDER_BASIC_DISPATCH,
} from 'wsksim';

const DRIVER = fileURLToPath(new URL('./driver.wasm', import.meta.url));

/** Waits `ms` milliseconds. */
async function sleep(k: Kernel, ms: number): Promise<void> {
  const Never = new KEVENT();
  k.KeInitializeEvent(Never, NotificationEvent, false);
  await k.KeWaitForSingleObject(Never, Executive, KernelMode, false, { QuadPart: -ms * 10_000 });
}

/** A call with its own IRP, waited for when it pends: its Information, or null if it failed. */
async function call(k: Kernel, make: (Irp: IRP) => NTSTATUS): Promise<unknown> {
  const Irp = k.IoAllocateIrp(1, false);
  if (!Irp) return null;
  const Done = new KEVENT();
  k.KeInitializeEvent(Done, NotificationEvent, false);
  const complete = (): NTSTATUS => {
    k.KeSetEvent(Done, IO_NO_INCREMENT, false);
    return STATUS_MORE_PROCESSING_REQUIRED;
  };
  k.IoSetCompletionRoutine(Irp, complete, null, true, true, true);
  if (make(Irp) === STATUS_PENDING) {
    await k.KeWaitForSingleObject(Done, Executive, KernelMode, false, null);
  }
  const { Status, Information } = Irp.IoStatus;
  k.IoFreeIrp(Irp);
  return Status === STATUS_SUCCESS ? Information : null;
}

async function client(k: Kernel, h: { connected: boolean }): Promise<void> {
  const Registration = new WSK_REGISTRATION();
  const Npi = new WSK_PROVIDER_NPI();
  const Dispatch = { Version: MAKE_WSK_VERSION(1, 0), Reserved: 0, WskClientEvent: null };
  if (k.WskRegister({ ClientContext: null, Dispatch }, Registration) !== STATUS_SUCCESS) return;
  if ((await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, Npi)) === STATUS_SUCCESS) {
    const { Client, Dispatch: Provider } = Npi;
    await sleep(k, 5);
    const Socket = (await call(k, (Irp) =>
      Provider!.WskSocketConnect(
        Client!, SOCK_STREAM, IPPROTO_TCP, sockaddr('0.0.0.0:0'), sockaddr('10.0.0.2:80'), 0,
        null, null, null, null, null, Irp,
      ),
    )) as PWSK_SOCKET | null;
    h.connected = Socket !== null;
    await sleep(k, 45);
    if (Socket) {
      const Basic = Socket.Dispatch as WSK_PROVIDER_BASIC_DISPATCH;
      await call(k, (Irp) => Basic.WskCloseSocket(Socket, Irp));
    }
    k.WskReleaseProviderNPI(Registration);
  }
  await k.WskDeregister(Registration);
}

export default defineScenario({
  name: 'my-c-server',
  description: 'a C server (driver.c) accepting a TypeScript client',
  seeds: [1, 2, 3],
  build(sim) {
    sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
    sim.addHost({ name: 'client', ipv4: '10.0.0.1' });
    sim.addLink('client', 'server', { latency: '1ms' });
    sim.loadDriver('server', DRIVER, { sources: ['driver.c'] });
    const h = { connected: false };
    sim.load('client', (k) => client(k, h));
    return h;
  },
  check: (_run, h) => {
    if (!h.connected) throw new Error('the client did not connect');
  },
});
