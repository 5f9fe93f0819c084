import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import acceptIrp from '../../scenarios/accept-irp.ts';
import { CoverageMap } from '../../src/explore/coverage-map.ts';
import { runScenario } from '../../src/explore/scenario.ts';
import type { TraceRecord } from '../../src/sim/index.ts';
import { loadScenario } from '../../src/cli/load.ts';

const LEAKY = fileURLToPath(new URL('../fixtures/leaky-driver.ts', import.meta.url));

/** The coverage of one accept-irp run, its map built as the run emits its records. */
async function covered(seed: number): Promise<{ map: CoverageMap; hash: string }> {
  const map = new CoverageMap();
  const result = await runScenario(acceptIrp, { seed, onRecord: map.listener });
  expect(result.status).toBe('passed');
  map.reach(result.goals);
  return { map, hash: result.traceHash };
}

function irp(irp: number, event: string, op?: string, status?: string): TraceRecord {
  return { at: 0, type: 'nt.irp', host: 'server', irp, event, op, status };
}

describe('explore: the coverage map of a run', () => {
  it("accept-irp's run takes the TCP handshake, the pended accepts and the cancelled last one", async () => {
    const { map } = await covered(1);
    const transitions = map.transitions();
    expect(transitions).toEqual(expect.arrayContaining([
      'tcp CLOSED>SYN-SENT (active open)',
      'tcp LISTEN>SYN-RECEIVED (SYN received)',
      'tcp SYN-RECEIVED>ESTABLISHED (ACK of SYN,ACK received)',
      'tcp listener accepted',
      'irp WskAccept allocated>issued',
      'irp WskAccept issued>pending',
      'irp WskAccept pending>completed STATUS_SUCCESS',
      'irp WskAccept pending>cancelled STATUS_CANCELLED',
      'wsk WskSocketConnect STATUS_PENDING',
      'wsk socket created listen',
      'net delivered',
    ]));
    expect(transitions.some((t) => t.startsWith('net dropped'))).toBe(false);
    expect(transitions.some((t) => t.includes('allocation-failed'))).toBe(false);
  });

  it('counts hits in buckets: three clients take each handshake step three times', async () => {
    const { map } = await covered(1);
    const points = map.points();
    expect(points).toContain('tcp LISTEN>SYN-RECEIVED (SYN received) ×3');
    expect(points).toContain('irp WskAccept pending>cancelled STATUS_CANCELLED');
    expect(points).not.toContain('tcp LISTEN>SYN-RECEIVED (SYN received)');
    expect(points).toHaveLength(map.transitions().length);
  });

  it('listening changes nothing: the same hash, and the same map the kept records give', async () => {
    const { map, hash } = await covered(2);
    const kept = await runScenario(acceptIrp, { seed: 2, keepTrace: true });
    expect(kept.traceHash).toBe(hash);
    const again = new CoverageMap();
    for (const record of kept.trace ?? []) again.listener(record);
    expect(again.points()).toEqual(map.points());
  });

  it("the re-run that names a leak's allocation sites is not heard", async () => {
    const leaky = await loadScenario(LEAKY);
    let heard = 0;
    const result = await runScenario(leaky, { seed: 1, onRecord: () => void heard++ });
    expect(result.failure?.details?.outstanding?.join('\n')).toMatch(/leaky-driver\.ts:\d+/);
    const kept = await runScenario(leaky, { seed: 1, keepTrace: true });
    expect(heard).toBe(kept.trace?.length);
  });

  it("an IRP's steps are its own, whatever other IRPs do between them", () => {
    const map = new CoverageMap();
    for (const record of [
      irp(1, 'allocated'),
      irp(2, 'allocated'),
      irp(1, 'issued', 'WskSend'),
      irp(2, 'issued', 'WskReceive'),
      irp(1, 'completed', 'WskSend', 'STATUS_SUCCESS'),
      irp(1, 'freed', 'WskSend'),
      irp(0, 'allocation-failed'),
    ]) map.listener(record);
    expect(map.transitions()).toEqual([
      'irp - none>allocated',
      'irp WskSend allocated>issued',
      'irp WskReceive allocated>issued',
      'irp WskSend issued>completed STATUS_SUCCESS',
      'irp WskSend completed>freed',
      'irp - none>allocation-failed',
    ]);
    expect(map.points()[0]).toBe('irp - none>allocated ×2');
  });

  it('buckets follow AFL: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+', () => {
    const bucketOf = (hits: number): string => {
      const map = new CoverageMap();
      const record: TraceRecord = { at: 0, type: 'tcp.crash', host: 'a', connections: 0 };
      for (let i = 0; i < hits; i++) map.listener(record);
      return map.points()[0] as string;
    };
    expect([1, 2, 3, 4, 7, 8, 16, 31, 32, 127, 128, 1000].map(bucketOf)).toEqual([
      'tcp.crash', 'tcp.crash ×2', 'tcp.crash ×3', 'tcp.crash ×4-7', 'tcp.crash ×4-7',
      'tcp.crash ×8-15', 'tcp.crash ×16-31', 'tcp.crash ×16-31', 'tcp.crash ×32-127',
      'tcp.crash ×32-127', 'tcp.crash ×128+', 'tcp.crash ×128+',
    ]);
  });

  it('a goal counts once reached, and not before', () => {
    const map = new CoverageMap();
    map.reach(new Map([['closed while pending', false], ['accepted', true]]));
    expect(map.transitions()).toEqual(['goal accepted']);
  });
});
