/**
 * Knobs from outside a scenario (`--set kernel.<host>.<option>=<value>`, `--same-instant`) and
 * fuzz budgets (`--bail`, `--time`): each changes the run observably, a wrong one is rejected
 * naming it with exit 2, and a replay command carries the flags it ran with.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import type { Tape } from '../../src/sim/index.ts';

const LEAKY = fileURLToPath(new URL('../fixtures/leaky-driver.ts', import.meta.url));
/** A driver that stops the machine when its IoAllocateIrp fails. */
const UNCHECKED = 'test/fixtures/unchecked-irp.ts';


async function tapeOf(argv: string[]): Promise<Tape> {
  const dir = mkdtempSync(join(tmpdir(), 'wsksim-knobs-'));
  try {
    const file = join(dir, 'tape.json');
    await cli(['run', ...argv, '--record', file]);
    return (JSON.parse(readFileSync(file, 'utf8')) as { tape: Tape }).tape;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('cli: --set and --same-instant', () => {
  it('--set kernel.server.irpAllocationFailure=1 makes the driver\'s IoAllocateIrp fail', async () => {
    expect((await cli(['run', UNCHECKED])).code).toBe(0);
    const { code, out } = await cli(['run', UNCHECKED, '--set', 'kernel.server.irpAllocationFailure=1']);
    expect(code).toBe(1);
    expect(out).toContain('IoAllocateIrp failed');
    expect(out).toContain('nt.irp host=server irp=0 event=allocation-failed');
    expect(out).toContain('injected faults: irp allocation fails (kernel/server) at 0.000000s\n');
    expect(out).toContain(`replay: npx wsksim run ${UNCHECKED} --seed 1 --set kernel.server.irpAllocationFailure=1\n`);
  });

  it('kernel.*.<option> sets every host\'s kernel, and --set=value is the same flag', async () => {
    const { code, out } = await cli(['run', UNCHECKED, '--set=kernel.*.irpAllocationFailure=1']);
    expect(code).toBe(1);
    expect(out).toContain('IoAllocateIrp failed');
    expect(out).toContain(`replay: npx wsksim run ${UNCHECKED} --seed 1 --set 'kernel.*.irpAllocationFailure=1'\n`);
  });

  it('--set overrides what the scenario gives the kernel, and list flags accumulate', async () => {
    const plain = await cli(['run', UNCHECKED, '--set', 'kernel.server.pendingCompletions=0.5']);
    const both = await cli([
      'run', UNCHECKED,
      '--set', 'kernel.server.pendingCompletions=0.5',
      '--set', 'kernel.server.irpAllocationFailure=1',
    ]);
    expect(plain.code).toBe(0);
    expect(both.code).toBe(1);
    expect(both.out).toContain(
      '--seed 1 --set kernel.server.pendingCompletions=0.5 --set kernel.server.irpAllocationFailure=1\n',
    );
  });

  it('--same-instant hands same-instant events to the choices: the tape says so', async () => {
    const plain = await tapeOf(['accept-irp']);
    const reordered = await tapeOf(['accept-irp', '--same-instant']);
    expect(plain.some((entry) => entry.label.includes('same-instant'))).toBe(false);
    expect(reordered.some((entry) => entry.label.startsWith('same-instant'))).toBe(true);
  });

  it('the replay command of a failing run names --same-instant', async () => {
    const { code, out } = await cli(['run', LEAKY, '--same-instant']);
    expect(code).toBe(1);
    expect(out).toContain(`replay: npx wsksim run ${LEAKY} --seed 1 --same-instant\n`);
  });

  it('check runs the child with the same knobs', async () => {
    const { code, out } = await cli(['check', 'accept-irp', '--set', 'kernel.server.pendingCompletions=1', '--same-instant']);
    expect(out).toMatch(/^deterministic: seed 1/);
    expect(code).toBe(0);
  });
});

describe('cli: wrong knobs exit 2, naming them', () => {
  it('an unknown option, a wrong value, disabledRules, a host without a kernel', async () => {
    expect(await cli(['run', 'accept-irp', '--set', 'kernel.server.nosuch=1'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/'--set kernel\.server\.nosuch': unknown kernel option \(known: irpAllocationFailure, .*wskProviderVersion.*\)/),
    });
    expect(await cli(['run', 'accept-irp', '--set', 'kernel.server.passiveCallbacks=2'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("'--set kernel.server.passiveCallbacks': 2 is outside [0, 1]"),
    });
    expect(await cli(['run', 'accept-irp', '--set', 'kernel.server.passiveCallbacks=half'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("'--set kernel.server.passiveCallbacks': expected a number"),
    });
    expect(await cli(['fuzz', 'accept-irp', '--set', 'kernel.server.wskSendCompletion=sent'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("'--set kernel.server.wskSendCompletion': must be 'acknowledged' or 'transmitted'"),
    });
    expect(await cli(['run', 'accept-irp', '--set', 'kernel.server.strict=yes'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("'--set kernel.server.strict': expected true or false"),
    });
    expect(await cli(['run', 'accept-irp', '--set', 'kernel.server.wskProviderReadyAt=soon'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("'--set kernel.server.wskProviderReadyAt'"),
    });
    expect(await cli(['run', 'accept-irp', '--set', 'kernel.server.disabledRules=IRP-LEAKED'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("'--set kernel.server.disabledRules': verifier rules may not be switched off"),
    });
    expect(await cli(['check', 'accept-irp', '--set', 'kernel.ghost.strict=true'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("'kernel.ghost': the scenario gives host ghost no kernel"),
    });
    expect(await cli(['run', 'accept-irp', '--set', 'server.strict=true'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--set server.strict=true: expected kernel.<host>.<option>=<value>'),
    });
  });

  it('a flag that is not a list, given twice', async () => {
    expect(await cli(['run', 'accept-irp', '--seed', '1', '--seed', '2'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--seed given more than once'),
    });
    expect(await cli(['fuzz', 'accept-irp', '--bail', '--bail'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--bail given more than once'),
    });
    expect(await cli(['fuzz', 'accept-irp', '--time', 'soon'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("'--time'"),
    });
  });
});

describe('cli: fuzz budgets', () => {
  it('--bail goes on past the expected failure and stops at the first other one', async () => {
    const expected = await cli(['fuzz', 'inspect-abort-race', '--runs', '3', '--bail', '--strategy', 'random']);
    expect(expected.out).toMatch(/^fuzz inspect-abort-race {2}strategy random {2}seeds 1–3 {2}\d passed, \d failed\n/);
    expect(expected.out).toMatch(
      /^ {2}\d runs? {2}first seed 1 {2}\(expected\) violation POOL-USE-AFTER-FREE at /m,
    );
    // A provider that becomes ready only after the time limit: the driver waits for ever.
    const other = await cli([
      'fuzz', 'inspect-abort-race', '--runs', '3', '--bail', '--strategy', 'random',
      '--set', 'kernel.server.wskProviderReadyAt=400s',
    ]);
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/^fuzz inspect-abort-race {2}strategy random {2}seeds 1–1 {2}0 passed, 1 failed {2}stopped by --bail after 1 of 3 runs\n/);
    expect(other.out).toContain('  1 run  first seed 1  livelock: time limit ###.######s reached');
    expect(other.out).toContain('failure: livelock at 3.150000s: time limit 300.000000s reached');
    expect(other.out).toContain('--seed 1 --set kernel.server.wskProviderReadyAt=400s --strategy random\n');
  });

  it('--bail on a scenario without expect stops at the first failure', async () => {
    const { code, out } = await cli(['fuzz', LEAKY, '--runs', '5', '--bail', '--strategy', 'random']);
    expect(code).toBe(1);
    expect(out).toMatch(/^fuzz leaky-driver {2}strategy random {2}seeds 1–1 {2}0 passed, 1 failed {2}stopped by --bail after 1 of 5 runs\n/);
  });

  it('--time stops the campaign when its wall-clock budget is spent', async () => {
    const { code, out } = await cli(['fuzz', 'accept-irp', '--runs', '1000', '--time', '1ms', '--strategy', 'random']);
    const match = /^fuzz accept-irp {2}strategy random {2}seeds 1–(\d+) .* stopped by --time 1ms after (\d+) of 1000 runs\n/.exec(out);
    expect(match).not.toBeNull();
    expect(Number(match?.[2])).toBeLessThan(1000);
    expect(match?.[1]).toBe(match?.[2]);
    expect(code).toBe(0);
  });
});
