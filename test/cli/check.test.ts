import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDeterminism } from '../../src/cli/check.ts';
import { cli } from '../support/cli.ts';
import { NT_RULES, RULES, WSK_RULES } from '../../src/wsk/index.ts';

const NONDETERMINISTIC = fileURLToPath(new URL('../fixtures/nondeterministic.ts', import.meta.url));
const LEAKY = fileURLToPath(new URL('../fixtures/leaky-driver.ts', import.meta.url));
const CRASHING = fileURLToPath(new URL('../fixtures/crashing-driver.ts', import.meta.url));
const CHECK_AND_LEAK = fileURLToPath(new URL('../fixtures/check-and-leak.ts', import.meta.url));


describe('cli: determinism check', () => {
  it('the same seed gives the same trace hash here and in a child process', async () => {
    const report = await checkDeterminism('showcase', 3);
    expect(report.divergence).toBeNull();
    expect(report.hashes[0]).toMatch(/^[0-9a-f]{16}$/);
    expect(report.hashes[1]).toBe(report.hashes[0]);
    expect(report.events[1]).toBe(report.events[0]);
  });

  it('a run that differs across processes is caught, naming the first diverging event', async () => {
    const report = await checkDeterminism(NONDETERMINISTIC, 1);
    expect(report.hashes[0]).not.toBe(report.hashes[1]);
    expect(report.divergence?.index).toBe(3);
    expect(report.divergence?.message).toMatch(/^runs diverge at event 3: 'tick 3' at 0\.003000s \(trace hash [0-9a-f]{16}\) vs 'tick 3' at 0\.003000s/);
    const { code, out } = await cli(['check', NONDETERMINISTIC]);
    expect(code).toBe(1);
    expect(out).toContain('NOT deterministic: seed 1');
    expect(out).toContain("runs diverge at event 3: 'tick 3'");
  });
});

describe('cli: usage', () => {
  it('wrong arguments get a clear message naming them and exit 2', async () => {
    expect(await cli(['run'])).toMatchObject({ code: 2, err: expect.stringContaining('missing scenario') });
    expect(await cli(['run', 'no-such-scenario'])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown scenario 'no-such-scenario' \(known: accept-event, accept-irp, accept-loop-leak, accept-loop-leak-c, accept-loop-leak-c-fixed, accept-loop-leak-fixed, conditional-accept, connect-refused, datagram-echo, datagram-echo-c, echo-server, echo-server-c, inline-receive-depth, inline-receive-depth-fixed, inspect-abort-race, inspect-abort-race-c, inspect-abort-race-c-fixed, inspect-abort-race-fixed, receive-callback-race, receive-callback-race-c, receive-callback-race-c-fixed, receive-callback-race-fixed, receive-event-dpc-lock, receive-event-dpc-lock-c, receive-event-dpc-lock-c-fixed, receive-event-dpc-lock-fixed, seed-samples, seed-samples-c, showcase, socket-connect, transfer-under-loss; or give a \.ts file\)/) });
    expect(await cli(['run', 'showcase', '--seed', '-3'])).toMatchObject({ code: 2, err: expect.stringContaining("--seed expects a non-negative integer, got '-3'") });
    expect(await cli(['run', 'showcase', '--speed', '3'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown option --speed') });
    expect(await cli(['frobnicate'])).toMatchObject({ code: 2, err: expect.stringContaining("unknown command 'frobnicate'") });
  });

  it('run prints the trace with --trace and ends with the seed, status and trace hash', async () => {
    const { code, out } = await cli(['run', 'showcase', '--seed', '2', '--trace']);
    expect(code).toBe(0);
    expect(out).toMatch(/^0\.000000s net\.packet phase=sent id=1 source=10\.0\.0\.1 target=10\.0\.0\.2 bytes=64 digest=0 info="ping #0"$/m);
    expect(out).toMatch(/scenario showcase {2}seed 2 {2}passed\nvirtual time \d\.\d{6}s {2}events \d+ {2}trace hash [0-9a-f]{16}\n$/);
  });

  it('run --choices prints the choices where the trace drew them, and changes nothing', async () => {
    const plain = await cli(['run', 'transfer-under-loss', '--seed', '3']);
    const { code, out } = await cli(['run', 'transfer-under-loss', '--seed', '3', '--choices']);
    expect(code).toBe(plain.code);
    const hash = (text: string): string | undefined => /trace hash ([0-9a-f]{16})/.exec(text)?.[1];
    expect(hash(out)).toBe(hash(plain.out));
    expect(out).toMatch(
      /^0\.000000s net\.packet phase=sent id=1 .*\n {2}choice link client→server loss = (true|false) {2}\[link client→server, chance p 0\.1\]\n/m,
    );
    expect(await cli(['run', 'showcase', '--choices', '--strategy', 'swarm'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--choices cannot be used with --strategy'),
    });
  });

  it('runs a user scenario file that imports the package by name', async () => {
    const file = fileURLToPath(new URL('../fixtures/user-scenario.ts', import.meta.url));
    const { code, out } = await cli(['run', file]);
    expect(out).toMatch(/^scenario user-scenario {2}seed 1 {2}passed$/m);
    expect(code).toBe(0);
  });

  it('list names the shipped scenarios', async () => {
    expect((await cli(['list'])).out.split('\n')).toContain('showcase');
  });
});

describe('cli: verifier reports', () => {
  it('a failing check shows the end-of-run findings under it, with allocation lines', async () => {
    const { code, out } = await cli(['run', CHECK_AND_LEAK]);
    expect(code).toBe(1);
    expect(out).toContain(
      'failure: check at 0.000000s: expected 3 connections, saw 2\n' +
        'end-of-run findings (the settle phase after the failing check):\n' +
        '  rule POOL-LEAKED: A pool allocation is never freed (reported by tag and size).\n',
    );
    expect(out).toContain(
      '    POOL-LEAKED server: pool tag Sess, 48 bytes never freed (test/fixtures/check-and-leak.ts:13)',
    );
  });

  it('a driver crash names the routine, the IRP, the driver line and its frames', async () => {
    const { code, out } = await cli(['run', CRASHING]);
    expect(code).toBe(1);
    expect(out).toContain(
      "failure: driver-crash at 0.000000s in 'thread server/DriverEntry start': driver crash " +
        "in completion routine of IRP #1: TypeError: Cannot read properties of null (reading 'Count')",
    );
    expect(out).toContain('  rule DRIVER-CRASH: Driver code threw an exception');
    expect(out).toContain(
      '  on host server, IRP #1\n  in completion routine of IRP #1\n' +
        '  at test/fixtures/crashing-driver.ts:19\n  stack:\n' +
        '    Object.routine (test/fixtures/crashing-driver.ts:19)\n' +
        '    test/fixtures/crashing-driver.ts:25\n',
    );
  });

  it('a leak found at the end names the rule, the host, the IRP and each allocation line', async () => {
    const { code, out } = await cli(['run', LEAKY]);
    expect(code).toBe(1);
    expect(out).toContain('failure: violation at 120.000000s: IRP-LEAKED: 2 left outstanding');
    expect(out).toContain('  rule IRP-LEAKED: An IRP allocated with IoAllocateIrp is never freed.');
    expect(out).toContain('  on host server, IRP #1\n  at test/fixtures/leaky-driver.ts:26\n');
    expect(out).toContain(
      '    IRP-LEAKED server: IRP #1 never freed; idle since 0.000000s ' +
        '(test/fixtures/leaky-driver.ts:26)',
    );
    expect(out).toContain(
      '    POOL-LEAKED server: pool tag Leak, 64 bytes never freed (test/fixtures/leaky-driver.ts:28)',
    );
    expect(out).toContain(`replay: npx wsksim run ${LEAKY} --seed 1`);
  });

  it('rules lists every rule of the catalogue by layer, with its channel and source', async () => {
    const { code, out } = await cli(['rules']);
    expect(code).toBe(0);
    const ids = [...out.matchAll(/^([A-Z][A-Z0-9-]+) {2}(violation|advisory)$/gm)].map((m) => m[1]);
    expect(ids).toEqual([...RULES.keys()]);
    const headings = [...out.matchAll(/^# (.+): (\d+) rules$/gm)].map((m) => [m[1], Number(m[2])]);
    expect(headings).toEqual([
      ['NT kernel (src/nt)', NT_RULES.size],
      ['WSK provider (src/wsk)', WSK_RULES.size],
    ]);
    const ntPart = out.slice(0, out.indexOf('# WSK provider'));
    expect(ntPart).toContain('IRP-COMPLETED-TWICE  violation');
    expect(ntPart).not.toContain('WSK-CLOSE-DURING-CALL');
    expect(out).toContain('WSK-CLOSE-DURING-CALL  violation\n  WskCloseSocket');
  });
});
