/**
 * Name resolution (src/wsk/name-resolution.ts; docs/model.md#name-resolution): WskGetAddressInfo
 * over the host names and the names a scenario adds, with the resolver's latency and failure as
 * labelled choices; WskGetNameInfo; WskFreeAddressInfo and its two rules, ADDRINFO-FREE-INVALID
 * (at the call) and ADDRINFO-LEAKED (at the end, naming the WskGetAddressInfo line), each with
 * its twin.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario } from '../../src/explore/scenario.ts';
import { Simulation } from '../../src/simulation.ts';
import {
  ADDRINFOEXW,
  AF_INET,
  AF_INET6,
  AI_CANONNAME,
  AI_PASSIVE,
  IRP,
  Kernel,
  MAKE_WSK_VERSION,
  NI_NAMEREQD,
  NS_ALL,
  RTL_CONSTANT_STRING,
  RULES,
  STATUS_INVALID_PARAMETER,
  STATUS_IO_TIMEOUT,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_NOT_FOUND,
  STATUS_PENDING,
  STATUS_SUCCESS,
  WSK_NO_WAIT,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  sockaddr,
  sockaddrText,
  statusName,
  type KernelOptions,
  type NTSTATUS,
  type PWSK_CLIENT,
  type UNICODE_STRING,
  type WSK_CLIENT_NPI,
  type WSK_PROVIDER_DISPATCH,
} from '../../src/wsk/index.ts';

const FILE = 'test/wsk/name-resolution.test.ts';
const SOURCE = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
const lineOf = (marker: string): string =>
  `${FILE}:${SOURCE.findIndex((l) => l.trimEnd().endsWith(marker)) + 1}`;

interface Client {
  readonly k: Kernel;
  readonly Client: PWSK_CLIENT;
  readonly Dispatch: WSK_PROVIDER_DISPATCH;
  /** The statuses IRPs completed with, by name, with the virtual time in ms. */
  readonly log: string[];
  irp(name: string): IRP;
}

function network(options: KernelOptions = {}): Simulation {
  const sim = new Simulation({ seed: 5, record: true });
  sim.addHost({ name: 'client', ipv4: '10.0.0.1', ipv6: 'fd00::1' });
  sim.addHost({ name: 'Server', ipv4: '10.0.0.2', ipv6: 'fd00::2' });
  sim.addLink('client', 'Server', { latency: '1ms' });
  sim.kernel('client', { pendingCompletions: 0, ...options });
  return sim;
}

function client(sim: Simulation): Client {
  const k = sim.kernel('client');
  const ClientNpi: WSK_CLIENT_NPI = {
    ClientContext: null,
    Dispatch: { Version: MAKE_WSK_VERSION(1, 0), Reserved: 0, WskClientEvent: null },
  };
  const Registration = new WSK_REGISTRATION();
  expect(k.WskRegister(ClientNpi, Registration)).toBe(STATUS_SUCCESS);
  const Npi = new WSK_PROVIDER_NPI();
  expect(k.WskCaptureProviderNPI(Registration, WSK_NO_WAIT, Npi)).toBe(STATUS_SUCCESS);
  const log: string[] = [];
  const irp = (name: string): IRP => {
    const Irp = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(
      Irp,
      (_d, I) => {
        log.push(`${name} ${statusName(I.IoStatus.Status)} @${sim.core.now / 1e6}`);
        return STATUS_MORE_PROCESSING_REQUIRED;
      },
      null,
      true,
      true,
      true,
    );
    return Irp;
  };
  return {
    k,
    Client: Npi.Client as PWSK_CLIENT,
    Dispatch: Npi.Dispatch as WSK_PROVIDER_DISPATCH,
    log,
    irp,
  };
}

/** The addresses of a result list, in order. */
function addresses(list: ADDRINFOEXW | null): string[] {
  const out: string[] = [];
  for (let e = list; e !== null; e = e.ai_next) out.push(sockaddrText(e.ai_addr as never));
  return out;
}

const name = (text: string): UNICODE_STRING => RTL_CONSTANT_STRING(text);

describe('WskGetAddressInfo', () => {
  it('resolves a host name (any case) and an added name after the latency choice', async () => {
    const sim = network({ nameResolutionLatency: '3ms' });
    sim.addName('svc.local', '10.0.0.2');
    const c = client(sim);
    const A = { value: null as ADDRINFOEXW | null };
    const B = { value: null as ADDRINFOEXW | null };
    sim.load('client', () => {
      const { WskGetAddressInfo } = c.Dispatch;
      const s = WskGetAddressInfo(c.Client, name('server'), name('80'), NS_ALL, null, null, A,
        null, null, c.irp('a'));
      expect(s).toBe(STATUS_PENDING);
      WskGetAddressInfo(c.Client, name('SVC.local'), null, NS_ALL, null, null, B, null, null,
        c.irp('b'));
    });
    await sim.run();
    expect(addresses(A.value)).toEqual(['10.0.0.2:80', '[fd00::2]:80']);
    expect(A.value?.ai_family).toBe(AF_INET);
    expect(addresses(B.value)).toEqual(['10.0.0.2:0']);
    expect(c.log.map((l) => l.split(' @')[0]).sort()).toEqual([
      'a STATUS_SUCCESS',
      'b STATUS_SUCCESS',
    ]);
    const times = c.log.map((l) => Number(l.split('@')[1]));
    for (const t of times) expect(t).toBeLessThanOrEqual(3);
    const labels = sim.tape().map((e) => e.label);
    expect(labels.filter((l) => l === 'name resolution latency')).toHaveLength(2);
  });

  it('hints filter the family; AI_CANONNAME names the first entry; numeric names resolve', async () => {
    const sim = network();
    const c = client(sim);
    const A = { value: null as ADDRINFOEXW | null };
    const N = { value: null as ADDRINFOEXW | null };
    const P = { value: null as ADDRINFOEXW | null };
    const Hints = new ADDRINFOEXW();
    Hints.ai_family = AF_INET6;
    Hints.ai_flags = AI_CANONNAME;
    const Passive = new ADDRINFOEXW();
    Passive.ai_flags = AI_PASSIVE;
    sim.load('client', () => {
      const { WskGetAddressInfo: Get } = c.Dispatch;
      Get(c.Client, name('server'), name('443'), NS_ALL, null, Hints, A, null, null, c.irp('a'));
      Get(c.Client, name('10.0.0.9'), name('7'), NS_ALL, null, null, N, null, null, c.irp('n'));
      Get(c.Client, null, name('80'), NS_ALL, null, Passive, P, null, null, c.irp('p'));
    });
    await sim.run();
    expect(addresses(A.value)).toEqual(['[fd00::2]:443']);
    expect(A.value?.ai_canonname).toBe('server');
    expect(addresses(N.value)).toEqual(['10.0.0.9:7']);
    expect(addresses(P.value)).toEqual(['0.0.0.0:80', '[::]:80']);
  });

  it('unknown names, bad arguments and injected failures have their statuses', async () => {
    const sim = network({ nameResolutionFailure: 1 });
    const c = client(sim);
    const R = { value: null as ADDRINFOEXW | null };
    const statuses: NTSTATUS[] = [];
    sim.load('client', () => {
      const { WskGetAddressInfo: Get } = c.Dispatch;
      statuses.push(Get(c.Client, null, null, NS_ALL, null, null, R, null, null, c.irp('none')));
      Get(c.Client, name('server'), name('http'), NS_ALL, null, null, R, null, null, c.irp('svc'));
      Get(c.Client, name('nowhere'), null, NS_ALL, null, null, R, null, null, c.irp('unknown'));
      Get(c.Client, name('10.0.0.2'), null, NS_ALL, null, null, R, null, null, c.irp('numeric'));
    });
    await sim.run();
    expect(statuses).toEqual([STATUS_INVALID_PARAMETER]);
    // Numeric names need no resolver: no latency, no injected failure.
    expect(c.log.map((l) => l.split(' @')[0])).toEqual([
      `none ${statusName(STATUS_INVALID_PARAMETER)}`,
      `svc ${statusName(STATUS_INVALID_PARAMETER)}`,
      'numeric STATUS_SUCCESS',
      `unknown ${statusName(STATUS_IO_TIMEOUT)}`,
    ]);
    // With no injected failure, an unknown name is STATUS_NOT_FOUND.
    const quiet = network();
    const q = client(quiet);
    const U = { value: null as ADDRINFOEXW | null };
    quiet.load('client', () => {
      const { WskGetAddressInfo: Get } = q.Dispatch;
      Get(q.Client, name('nowhere'), null, NS_ALL, null, null, U, null, null, q.irp('unknown'));
    });
    await quiet.run();
    expect(q.log[0]?.split(' @')[0]).toBe(`unknown ${statusName(STATUS_NOT_FOUND)}`);
    expect(U.value).toBe(null);
  });
});

describe('WskGetNameInfo', () => {
  it('names a host by its address; NI_NAMEREQD for an address no name has', async () => {
    const sim = network();
    sim.addName('alias.local', '10.0.0.7');
    const c = client(sim);
    const [Node, Service, Alias, Numeric] = [name(''), name(''), name(''), name('')];
    sim.load('client', () => {
      const { WskGetNameInfo } = c.Dispatch;
      const server = sockaddr('[fd00::2]:8080');
      WskGetNameInfo(c.Client, server, 28, Node, Service, 0, null, null, c.irp('server'));
      const alias = sockaddr('10.0.0.7:1');
      WskGetNameInfo(c.Client, alias, 16, Alias, null, 0, null, null, c.irp('alias'));
      const none = sockaddr('10.0.0.99:1');
      WskGetNameInfo(c.Client, none, 16, Numeric, null, 0, null, null, c.irp('numeric'));
      WskGetNameInfo(c.Client, none, 16, name(''), null, NI_NAMEREQD, null, null, c.irp('req'));
    });
    await sim.run();
    expect([Node.Buffer, Service.Buffer, Alias.Buffer, Numeric.Buffer]).toEqual([
      'Server',
      '8080',
      'alias.local',
      '10.0.0.99',
    ]);
    expect(c.log.map((l) => l.split(' @')[0])).toContain(`req ${statusName(STATUS_NOT_FOUND)}`);
  });
});

/** A scenario whose driver resolves 'server' and frees the result (or not, or twice). */
function resolving(how: 'frees' | 'leaks' | 'frees twice') {
  return defineScenario({
    name: `resolve-${how.replace(' ', '-')}`,
    description: 'a driver resolving a host name',
    build(sim) {
      sim.addHost({ name: 'client', ipv4: '10.0.0.1' });
      sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
      sim.addLink('client', 'server', { latency: '1ms' });
      sim.load('client', async (k) => {
        const ClientNpi: WSK_CLIENT_NPI = {
          ClientContext: null,
          Dispatch: { Version: MAKE_WSK_VERSION(1, 0), Reserved: 0, WskClientEvent: null },
        };
        const Registration = new WSK_REGISTRATION();
        k.WskRegister(ClientNpi, Registration);
        const Npi = new WSK_PROVIDER_NPI();
        k.WskCaptureProviderNPI(Registration, WSK_NO_WAIT, Npi);
        const Dispatch = Npi.Dispatch as WSK_PROVIDER_DISPATCH;
        const Client = Npi.Client as PWSK_CLIENT;
        const Done = new (await import('../../src/wsk/index.ts')).KEVENT();
        k.KeInitializeEvent(Done, 0, false);
        const Irp = k.IoAllocateIrp(1, false) as IRP;
        k.IoSetCompletionRoutine(Irp, () => {
          k.KeSetEvent(Done, 0, false);
          return STATUS_MORE_PROCESSING_REQUIRED;
        }, null, true, true, true);
        const Result = { value: null as ADDRINFOEXW | null };
        Dispatch.WskGetAddressInfo(Client, name('server'), null, NS_ALL, null, null, Result, null, null, Irp); // resolves
        await k.KeWaitForSingleObject(Done, 0, 0, false, null);
        if (how !== 'leaks' && Result.value !== null) {
          Dispatch.WskFreeAddressInfo(Client, Result.value);
          if (how === 'frees twice') Dispatch.WskFreeAddressInfo(Client, Result.value); // frees twice
        }
        k.IoFreeIrp(Irp);
        k.WskReleaseProviderNPI(Registration);
        await k.WskDeregister(Registration);
      });
      return {};
    },
    settle: '1s',
  });
}

describe('ADDRINFO rules, each with its twin', () => {
  it('ADDRINFO-LEAKED: a list never freed is reported at the end, at its WskGetAddressInfo', async () => {
    const result = await runScenario(resolving('leaks'), { seed: 1 });
    expect(result.failure?.details).toMatchObject({
      rule: 'ADDRINFO-LEAKED',
      site: lineOf('// resolves'),
    });
  });

  it('ADDRINFO-FREE-INVALID: a list freed twice is reported at the second free', async () => {
    const result = await runScenario(resolving('frees twice'), { seed: 1 });
    expect(result.failure?.details).toMatchObject({
      rule: 'ADDRINFO-FREE-INVALID',
      site: lineOf('// frees twice'),
    });
  });

  it('twin: the driver that frees its list once passes', async () => {
    const result = await runScenario(resolving('frees'), { seed: 1 });
    expect(result.failure).toBeUndefined();
    expect(result.status).toBe('passed');
  });

  it('both rules are in the WSK catalogue', () => {
    expect(RULES.get('ADDRINFO-LEAKED')?.layer).toBe('wsk');
    expect(RULES.get('ADDRINFO-FREE-INVALID')?.layer).toBe('wsk');
  });
});
