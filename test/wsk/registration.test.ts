import { describe, expect, it } from 'vitest';
import { SimConfigError } from '../../src/sim/index.ts';
import { Simulation } from '../../src/simulation.ts';
import {
  AF_INET,
  AF_INET6,
  DISPATCH_LEVEL,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IRP,
  Kernel,
  MAKE_WSK_VERSION,
  NPI_WSK_INTERFACE_ID,
  PASSIVE_LEVEL,
  SOCK_DGRAM,
  SOCK_STREAM,
  STATUS_BUFFER_OVERFLOW,
  STATUS_CANCELLED,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_DEVICE_NOT_READY,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_INVALID_PARAMETER,
  STATUS_NOINTERFACE,
  STATUS_SUCCESS,
  WSK_CACHED_SECURITY_DESCRIPTOR,
  WSK_CACHE_SD,
  WSK_EVENT_ACCEPT,
  WSK_EVENT_DISABLE,
  WSK_INFINITE_WAIT,
  WSK_NO_WAIT,
  WSK_PROVIDER_CHARACTERISTICS,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  WSK_RELEASE_SD,
  WSK_SET_STATIC_EVENT_CALLBACKS,
  WSK_TDI_BEHAVIOR,
  WSK_TDI_BEHAVIOR_BYPASS_TDI,
  WSK_TRANSPORT_LIST_CHANGE,
  WSK_TRANSPORT_LIST_QUERY,
  WSK_TRANSPORT_SIZE,
  type KIRQL,
  type KernelOptions,
  type NTSTATUS,
  type WSK_CLIENT_DISPATCH,
  type WSK_CLIENT_NPI,
  type WSK_TRANSPORT,
} from '../../src/wsk/index.ts';

const MS = 1e6;

function world(options?: KernelOptions, seed = 5): { sim: Simulation; k: Kernel } {
  const sim = new Simulation({ seed, keepTrace: true });
  sim.addHost({ name: 'server', ipv4: '10.0.0.2', ipv6: 'fd00::2' });
  sim.addHost({ name: 'v4only', ipv4: '10.0.0.3' });
  return { sim, k: sim.kernel('server', options) };
}

function clientNpi(Version = MAKE_WSK_VERSION(1, 0)): WSK_CLIENT_NPI {
  const Dispatch: WSK_CLIENT_DISPATCH = { Version, Reserved: 0, WskClientEvent: null };
  return { ClientContext: null, Dispatch };
}

const rules = (k: Kernel): string[] => k.violations.map((v) => v.rule);

describe('wsk: Simulation.kernel and load', () => {
  it('load runs DriverEntry in a system thread at PASSIVE_LEVEL at the current virtual time', async () => {
    const { sim, k } = world();
    const log: string[] = [];
    sim.at('3ms', 'load', () => {
      sim.load('server', async (driverK) => {
        log.push(`entry ${sim.now} irql ${driverK.KeGetCurrentIrql()} same ${driverK === k}`);
        log.push(`thread ${sim.core.threads.current !== null}`);
      });
    });
    expect((await sim.run()).status).toBe('quiescent');
    expect(log).toEqual([`entry ${3 * MS} irql ${PASSIVE_LEVEL} same true`, 'thread true']);
  });

  it('kernel() is made once; options given again throw SimConfigError naming it', () => {
    const { sim, k } = world({ pendingCompletions: 0 });
    expect(sim.kernel('server')).toBe(k);
    expect(() => sim.kernel('server', {})).toThrow(SimConfigError);
    expect(() => sim.kernel('server', {})).toThrow(/kernel\(server\)/);
    expect(() => sim.kernel('nobody')).toThrow(SimConfigError);
    expect(() => sim.kernel('v4only', { wskProviderReadyAt: 'soon' })).toThrow(
      /wskProviderReadyAt/,
    );
  });
});

describe('wsk: registration and capture', () => {
  it('register, capture, control, release, deregister: the happy path', async () => {
    const { sim } = world();
    const log: string[] = [];
    sim.load('server', async (k) => {
      const Registration = new WSK_REGISTRATION();
      const Npi = new WSK_PROVIDER_NPI();
      log.push(`register ${k.WskRegister(clientNpi(), Registration)}`);
      log.push(`capture ${await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, Npi)}`);
      expect(Npi.Client).not.toBeNull();
      expect(Npi.Dispatch?.Version).toBe(MAKE_WSK_VERSION(1, 0));
      expect(Object.keys(Npi.Dispatch ?? {})).toEqual([
        'Version', 'Reserved', 'WskSocket', 'WskSocketConnect', 'WskControlClient',
        'WskGetAddressInfo', 'WskFreeAddressInfo', 'WskGetNameInfo',
      ]);
      k.WskReleaseProviderNPI(Registration);
      await k.WskDeregister(Registration);
      log.push(`deregistered ${sim.now}`);
      // Capture after deregistration: documented STATUS_DEVICE_NOT_READY.
      log.push(`late ${k.WskCaptureProviderNPI(Registration, WSK_NO_WAIT, Npi)}`);
    });
    expect((await sim.run()).status).toBe('quiescent');
    expect(log).toEqual([
      `register ${STATUS_SUCCESS}`,
      `capture ${STATUS_SUCCESS}`,
      'deregistered 0',
      `late ${STATUS_DEVICE_NOT_READY}`,
    ]);
    expect(rules(sim.kernel('server'))).toEqual([]);
  });

  it('WSK_NO_WAIT before the provider is ready → STATUS_DEVICE_NOT_READY, synchronously', async () => {
    const { sim, k } = world({ wskProviderReadyAt: '50ms' });
    const Registration = new WSK_REGISTRATION();
    const Npi = new WSK_PROVIDER_NPI();
    const seen: NTSTATUS[] = [];
    sim.load('server', () => {
      expect(k.WskRegister(clientNpi(), Registration)).toBe(STATUS_SUCCESS);
      seen.push(k.WskCaptureProviderNPI(Registration, WSK_NO_WAIT, Npi));
    });
    // From a DPC-level callback too (NO_WAIT is allowed up to DISPATCH_LEVEL).
    sim.at('60ms', 'dpc', () =>
      k.runAt(DISPATCH_LEVEL, () => {
        seen.push(k.WskCaptureProviderNPI(Registration, WSK_NO_WAIT, Npi));
      }),
    );
    await sim.run();
    expect(seen).toEqual([STATUS_DEVICE_NOT_READY, STATUS_SUCCESS]);
    expect(Npi.Dispatch).not.toBeNull();
    expect(rules(k)).toEqual([]);
  });

  it('WSK_INFINITE_WAIT resolves at the readiness time exactly', async () => {
    const { sim, k } = world({ wskProviderReadyAt: '1500ms' });
    const log: string[] = [];
    sim.load('server', async () => {
      const Registration = new WSK_REGISTRATION();
      k.WskRegister(clientNpi(), Registration);
      const s = await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, new WSK_PROVIDER_NPI());
      log.push(`${sim.now} ${s}`);
    });
    await sim.run();
    expect(log).toEqual([`${1500 * MS} ${STATUS_SUCCESS}`]);
  });

  it('a millisecond timeout expires with STATUS_DEVICE_NOT_READY at the right time; one in time succeeds', async () => {
    const { sim, k } = world({ wskProviderReadyAt: 'never' });
    const log: string[] = [];
    sim.load('server', async () => {
      const Registration = new WSK_REGISTRATION();
      k.WskRegister(clientNpi(), Registration);
      const Npi = new WSK_PROVIDER_NPI();
      const first = await k.WskCaptureProviderNPI(Registration, 250, Npi);
      log.push(`${sim.now} ${first}`);
      const second = await k.WskCaptureProviderNPI(Registration, 1000, Npi);
      log.push(`${sim.now} ${second}`);
    });
    sim.at('400ms', 'ready', () => k.wsk.makeProviderReady());
    await sim.run();
    expect(log).toEqual([`${250 * MS} ${STATUS_DEVICE_NOT_READY}`, `${400 * MS} ${STATUS_SUCCESS}`]);
  });

  it('an unsupported major version → STATUS_NOINTERFACE (also once a waited-for provider is ready)', async () => {
    const { sim, k } = world({ wskProviderReadyAt: '10ms' });
    const log: string[] = [];
    sim.load('server', async () => {
      const Registration = new WSK_REGISTRATION();
      k.WskRegister(clientNpi(MAKE_WSK_VERSION(2, 0)), Registration);
      const Npi = new WSK_PROVIDER_NPI();
      const s = await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, Npi);
      log.push(`${sim.now} ${s}`);
      log.push(`${k.WskCaptureProviderNPI(Registration, WSK_NO_WAIT, Npi)} ${Npi.Dispatch}`);
      const Characteristics = new WSK_PROVIDER_CHARACTERISTICS();
      const q = k.WskQueryProviderCharacteristics(Registration, Characteristics);
      log.push(`query ${q} ${Characteristics.HighestVersion} ${Characteristics.LowestVersion}`);
      await k.WskDeregister(Registration); // nothing captured: returns at once
      log.push(`deregistered ${sim.now}`);
    });
    await sim.run();
    expect(log).toEqual([
      `${10 * MS} ${STATUS_NOINTERFACE}`,
      `${STATUS_NOINTERFACE} null`,
      `query ${STATUS_SUCCESS} ${0x100} ${0x100}`,
      `deregistered ${10 * MS}`,
    ]);
    expect(rules(k)).toEqual([]);
  });

  it('WskDeregister returns only when the last capture is released (at the release time)', async () => {
    const { sim, k } = world();
    const Registration = new WSK_REGISTRATION();
    const log: string[] = [];
    sim.load('server', async () => {
      k.WskRegister(clientNpi(), Registration);
      const Npi = new WSK_PROVIDER_NPI();
      k.WskCaptureProviderNPI(Registration, WSK_NO_WAIT, Npi);
      k.WskCaptureProviderNPI(Registration, WSK_NO_WAIT, Npi);
      await k.WskDeregister(Registration);
      log.push(`deregistered ${sim.now}`);
    });
    sim.at('5ms', 'release 1', () => {
      k.runAt(DISPATCH_LEVEL, () => k.WskReleaseProviderNPI(Registration));
      log.push(`released ${sim.now}`);
    });
    sim.at('9ms', 'release 2', () => {
      k.WskReleaseProviderNPI(Registration);
      log.push(`released ${sim.now}`);
    });
    expect((await sim.run()).status).toBe('quiescent');
    expect(log).toEqual([`released ${5 * MS}`, `released ${9 * MS}`, `deregistered ${9 * MS}`]);
    expect(rules(k)).toEqual([]);
  });

  it('WskDeregister releases a capture blocked in another thread with STATUS_DEVICE_NOT_READY', async () => {
    const { sim, k } = world({ wskProviderReadyAt: 'never' });
    const Registration = new WSK_REGISTRATION();
    const log: string[] = [];
    sim.load('server', async () => {
      k.WskRegister(clientNpi(), Registration);
      const s = await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, new WSK_PROVIDER_NPI());
      log.push(`capture ${sim.now} ${s}`);
    });
    sim.at('7ms', 'unload', () =>
      k.PsCreateSystemThread({ value: null }, 0, null, null, null, async () => {
        await k.WskDeregister(Registration);
        log.push(`deregistered ${sim.now}`);
      }, null),
    );
    await sim.run();
    expect(log).toEqual([`deregistered ${7 * MS}`, `capture ${7 * MS} ${STATUS_DEVICE_NOT_READY}`]);
  });

  it('PASSIVE-only routines at DISPATCH_LEVEL are IRQL-TOO-HIGH violations', async () => {
    for (const call of ['register', 'deregister', 'wait'] as const) {
      const { sim, k } = world();
      const Registration = new WSK_REGISTRATION();
      if (call !== 'register') k.WskRegister(clientNpi(), Registration);
      sim.at('2ms', 'dpc', () =>
        k.runAt(DISPATCH_LEVEL as KIRQL, () => {
          if (call === 'register') k.WskRegister(clientNpi(), Registration);
          else if (call === 'deregister') void k.WskDeregister(Registration);
          else void k.WskCaptureProviderNPI(Registration, 100, new WSK_PROVIDER_NPI());
        }),
      );
      const outcome = await sim.run();
      expect(outcome.status).toBe('failed');
      expect(outcome.failure?.kind).toBe('violation');
      expect(rules(k)).toEqual(['IRQL-TOO-HIGH']);
      expect(k.violations[0]?.at).toBe(2 * MS);
    }
  });

  it('misuse: release without capture, deregister twice, register in use, unregistered block', async () => {
    const cases: [string, (k: Kernel, r: WSK_REGISTRATION) => unknown][] = [
      ['WSK-RELEASE-WITHOUT-CAPTURE', (k, r) => k.WskReleaseProviderNPI(r)],
      ['WSK-REGISTRATION-IN-USE', (k, r) => k.WskRegister(clientNpi(), r)],
      ['WSK-REGISTRATION-INVALID', (k) => k.WskReleaseProviderNPI(new WSK_REGISTRATION())],
      [
        'WSK-DEREGISTER-TWICE',
        async (k, r) => {
          await k.WskDeregister(r);
          await k.WskDeregister(r);
        },
      ],
    ];
    for (const [rule, misuse] of cases) {
      const { sim, k } = world();
      sim.load('server', async () => {
        const Registration = new WSK_REGISTRATION();
        k.WskRegister(clientNpi(), Registration);
        await misuse(k, Registration);
      });
      expect((await sim.run()).failure?.kind).toBe('violation');
      expect(rules(k)).toEqual([rule]);
    }
  });

  it('Reserved ≠ 0 → STATUS_INVALID_PARAMETER (policy), nothing registered', () => {
    const { k } = world();
    const Npi = clientNpi();
    (Npi.Dispatch as WSK_CLIENT_DISPATCH).Reserved = 1;
    expect(k.WskRegister(Npi, new WSK_REGISTRATION())).toBe(STATUS_INVALID_PARAMETER);
    // docs/design.md#status-violation-or-advisory: a bad argument with no documented code is a
    // status plus an advisory.
    expect(k.advisories.map((a) => a.rule)).toEqual(['WSK-REGISTER-INPUT']);
    expect(k.advisories[0]?.message).toMatch(/Reserved not 0 \(host server at 0/);
  });
});

/** Registers and captures on `host` outside a thread (NO_WAIT, provider ready at once). */
function captured(sim: Simulation, host: string): { k: Kernel; Npi: WSK_PROVIDER_NPI; Registration: WSK_REGISTRATION } {
  const k = sim.kernel(host);
  const Registration = new WSK_REGISTRATION();
  const Npi = new WSK_PROVIDER_NPI();
  expect(k.WskRegister(clientNpi(), Registration)).toBe(STATUS_SUCCESS);
  expect(k.WskCaptureProviderNPI(Registration, WSK_NO_WAIT, Npi)).toBe(STATUS_SUCCESS);
  return { k, Npi, Registration };
}

describe('wsk: WskControlClient', () => {
  it('transport list: size probe, then fill; a dual-stack host lists IPv4 and IPv6 TCP, then UDP', () => {
    const { sim } = world();
    const { Npi } = captured(sim, 'server');
    const Dispatch = Npi.Dispatch!;
    const Client = Npi.Client!;
    const Size = { value: 0 };
    expect(
      Dispatch.WskControlClient(Client, WSK_TRANSPORT_LIST_QUERY, 0, null, 0, null, Size, null),
    ).toBe(STATUS_BUFFER_OVERFLOW);
    expect(Size.value).toBe(4 * WSK_TRANSPORT_SIZE);
    const Transports: WSK_TRANSPORT[] = [];
    const Returned = { value: 0 };
    expect(
      Dispatch.WskControlClient(Client, WSK_TRANSPORT_LIST_QUERY, 0, null, Size.value, Transports, Returned, null),
    ).toBe(STATUS_SUCCESS);
    expect(Returned.value).toBe(112);
    expect(Transports.map((t) => [t.AddressFamily, t.SocketType, t.Protocol])).toEqual([
      [AF_INET, SOCK_STREAM, IPPROTO_TCP],
      [AF_INET6, SOCK_STREAM, IPPROTO_TCP],
      [AF_INET, SOCK_DGRAM, IPPROTO_UDP],
      [AF_INET6, SOCK_DGRAM, IPPROTO_UDP],
    ]);
    // Too small a buffer is an overflow too; OutputSizeReturned is required.
    expect(
      Dispatch.WskControlClient(Client, WSK_TRANSPORT_LIST_QUERY, 0, null, 28, [], Returned, null),
    ).toBe(STATUS_BUFFER_OVERFLOW);
    expect(
      Dispatch.WskControlClient(Client, WSK_TRANSPORT_LIST_QUERY, 0, null, 0, null, null, null),
    ).toBe(STATUS_INVALID_PARAMETER);
  });

  it('an IPv4-only host lists only the IPv4 transports, TCP and UDP', () => {
    const { sim } = world();
    const { Npi } = captured(sim, 'v4only');
    const Size = { value: 0 };
    const Transports: WSK_TRANSPORT[] = [];
    const call = Npi.Dispatch!.WskControlClient;
    expect(call(Npi.Client!, WSK_TRANSPORT_LIST_QUERY, 0, null, 0, null, Size, null)).toBe(
      STATUS_BUFFER_OVERFLOW,
    );
    expect(Size.value).toBe(2 * WSK_TRANSPORT_SIZE);
    expect(call(Npi.Client!, WSK_TRANSPORT_LIST_QUERY, 0, null, Size.value, Transports, Size, null)).toBe(
      STATUS_SUCCESS,
    );
    expect(Transports.map((t) => [t.AddressFamily, t.Protocol])).toEqual([
      [AF_INET, IPPROTO_TCP],
      [AF_INET, IPPROTO_UDP],
    ]);
  });

  it('static event callbacks: accepted before any socket, INVALID_DEVICE_STATE after; bad masks rejected', () => {
    const { sim } = world();
    const { k, Npi } = captured(sim, 'server');
    const Client = Npi.Client!;
    const call = Npi.Dispatch!.WskControlClient;
    const set = (EventMask: number, NpiId: object = NPI_WSK_INTERFACE_ID): NTSTATUS =>
      call(Client, WSK_SET_STATIC_EVENT_CALLBACKS, 16, { NpiId, EventMask }, 0, null, null, null);
    expect(set(WSK_EVENT_ACCEPT | WSK_EVENT_DISABLE)).toBe(STATUS_INVALID_PARAMETER);
    expect(set(WSK_EVENT_ACCEPT, {})).toBe(STATUS_INVALID_PARAMETER);
    expect(k.advisories.map((a) => a.rule)).toEqual(Array(2).fill('WSK-CONTROL-CLIENT-INPUT'));
    expect(set(WSK_EVENT_ACCEPT)).toBe(STATUS_SUCCESS);
    expect(Client.staticEventMask).toBe(WSK_EVENT_ACCEPT);
    k.wsk.noteSocketCreated(Client);
    expect(set(WSK_EVENT_ACCEPT)).toBe(STATUS_INVALID_DEVICE_STATE);
    expect(rules(k)).toEqual([]);
  });

  it('WSK_CACHE_SD returns a handle WSK_RELEASE_SD releases; a second release is a violation', async () => {
    const { sim } = world();
    const { k, Npi } = captured(sim, 'server');
    const Client = Npi.Client!;
    const call = Npi.Dispatch!.WskControlClient;
    const SecurityDescriptor = { owner: 'driver' };
    const Cached = { value: null as unknown };
    expect(call(Client, WSK_CACHE_SD, 8, { value: SecurityDescriptor }, 8, Cached, null, null)).toBe(
      STATUS_SUCCESS,
    );
    expect(Cached.value).toBeInstanceOf(WSK_CACHED_SECURITY_DESCRIPTOR);
    expect((Cached.value as WSK_CACHED_SECURITY_DESCRIPTOR).SecurityDescriptor).toBe(SecurityDescriptor);
    expect(Client.cachedSds.size).toBe(1);
    expect(call(Client, WSK_RELEASE_SD, 8, { value: Cached.value }, 0, null, null, null)).toBe(STATUS_SUCCESS);
    expect(Client.cachedSds.size).toBe(0);
    expect(rules(k)).toEqual([]);
    sim.at('1ms', 'release again', () => {
      call(Client, WSK_RELEASE_SD, 8, { value: Cached.value }, 0, null, null, null);
    });
    expect((await sim.run()).failure?.kind).toBe('violation');
    expect(rules(k)).toEqual(['WSK-RELEASE-SD-UNKNOWN']);
  });

  it('a call through the dispatch after the last release is WSK-CALL-AFTER-RELEASE', () => {
    const { sim } = world();
    const { k, Npi, Registration } = captured(sim, 'server');
    k.WskReleaseProviderNPI(Registration);
    const Size = { value: 0 };
    Npi.Dispatch!.WskControlClient(Npi.Client!, WSK_TRANSPORT_LIST_QUERY, 0, null, 0, null, Size, null);
    expect(rules(k)).toEqual(['WSK-CALL-AFTER-RELEASE']);
  });
});

describe('wsk: more rules', () => {
  it('WskQueryProviderCharacteristics before readiness → STATUS_DEVICE_NOT_READY', () => {
    const { k } = world({ wskProviderReadyAt: 'never' });
    const Registration = new WSK_REGISTRATION();
    k.WskRegister(clientNpi(), Registration);
    const c = new WSK_PROVIDER_CHARACTERISTICS();
    expect(k.WskQueryProviderCharacteristics(Registration, c)).toBe(STATUS_DEVICE_NOT_READY);
    k.wsk.makeProviderReady();
    expect(k.WskQueryProviderCharacteristics(Registration, c)).toBe(STATUS_SUCCESS);
    expect(c.HighestVersion).toBe(MAKE_WSK_VERSION(1, 0));
  });

  it('a capture that must wait, outside a system thread, is WAIT-OUTSIDE-THREAD', () => {
    const { k } = world({ wskProviderReadyAt: 'never' });
    const Registration = new WSK_REGISTRATION();
    k.WskRegister(clientNpi(), Registration);
    void k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, new WSK_PROVIDER_NPI());
    expect(rules(k)).toEqual(['WAIT-OUTSIDE-THREAD']);
  });

  it('WSK_TDI_BEHAVIOR: before any socket only; an IRP where none is allowed is rejected', () => {
    const { sim } = world();
    const { k, Npi } = captured(sim, 'server');
    const call = Npi.Dispatch!.WskControlClient;
    const Client = Npi.Client!;
    const flags = { value: WSK_TDI_BEHAVIOR_BYPASS_TDI };
    expect(call(Client, WSK_TDI_BEHAVIOR, 4, { value: 2 }, 0, null, null, null)).toBe(
      STATUS_INVALID_PARAMETER,
    );
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    expect(call(Client, WSK_TDI_BEHAVIOR, 4, flags, 0, null, null, Irp)).toBe(
      STATUS_INVALID_PARAMETER,
    );
    expect(call(Client, WSK_TDI_BEHAVIOR, 4, flags, 0, null, null, null)).toBe(STATUS_SUCCESS);
    k.wsk.noteSocketCreated(Client);
    expect(call(Client, WSK_TDI_BEHAVIOR, 4, flags, 0, null, null, null)).toBe(
      STATUS_INVALID_DEVICE_STATE,
    );
    k.IoFreeIrp(Irp);
    expect(rules(k)).toEqual([]);
  });
});

describe('wsk: WSK_TRANSPORT_LIST_CHANGE', () => {
  it('pends its IRP until IoCancelIrp; WskDeregister waits for that completion', async () => {
    const { sim, k } = world();
    const log: string[] = [];
    let Irp: IRP | null = null;
    sim.load('server', async () => {
      const Registration = new WSK_REGISTRATION();
      const Npi = new WSK_PROVIDER_NPI();
      k.WskRegister(clientNpi(), Registration);
      await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, Npi);
      const call = Npi.Dispatch!.WskControlClient;
      expect(call(Npi.Client!, WSK_TRANSPORT_LIST_CHANGE, 0, null, 0, null, null, null)).toBe(
        STATUS_INVALID_PARAMETER,
      );
      Irp = k.IoAllocateIrp(1, false) as IRP;
      k.IoSetCompletionRoutine(Irp, (_d, irp) => {
        log.push(`completed ${sim.now} ${irp.IoStatus.Status}`);
        return STATUS_MORE_PROCESSING_REQUIRED;
      }, null, true, true, true);
      const s = call(Npi.Client!, WSK_TRANSPORT_LIST_CHANGE, 0, null, 0, null, null, Irp);
      log.push(`call ${s}`);
      k.WskReleaseProviderNPI(Registration);
      await k.WskDeregister(Registration);
      log.push(`deregistered ${sim.now}`);
      k.IoFreeIrp(Irp);
    });
    sim.at('8ms', 'cancel', () => log.push(`cancel ${k.IoCancelIrp(Irp as unknown as IRP)}`));
    expect((await sim.run()).status).toBe('quiescent');
    expect(log).toEqual([
      `call ${STATUS_PENDING}`,
      `completed ${8 * MS} ${STATUS_CANCELLED}`,
      'cancel true',
      `deregistered ${8 * MS}`,
    ]);
    expect(rules(k)).toEqual([]);
  });
});

describe('wsk: determinism', () => {
  it('the same seed twice gives the same trace hash', async () => {
    const run = async (): Promise<string> => {
      const { sim, k } = world({ wskProviderReadyAt: '20ms' }, 99);
      sim.load('server', async () => {
        const Registration = new WSK_REGISTRATION();
        k.WskRegister(clientNpi(), Registration);
        const Npi = new WSK_PROVIDER_NPI();
        await k.WskCaptureProviderNPI(Registration, 5, Npi);
        await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, Npi);
        k.WskReleaseProviderNPI(Registration);
        await k.WskDeregister(Registration);
      });
      await sim.run();
      expect(sim.records().some((r) => r.type === 'wsk.call')).toBe(true);
      return sim.traceHash();
    };
    expect(await run()).toBe(await run());
  });
});
