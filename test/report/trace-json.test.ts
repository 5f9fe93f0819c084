/**
 * Tests of src/report/trace-json.ts (issue 17, `--trace-json`): the schema shipped in
 * docs/trace-record.schema.json names every catalogued record type with exactly its fields, and
 * every line of several scenarios' output validates against it with Ajv (a JSON Schema
 * 2020-12 validator; the schema is the contract users' tools read, so it is checked by a
 * validator users would use, not by code of ours).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { runScenario, type Scenario } from '../../src/explore/scenario.ts';
import { RECORD_FIELDS, traceJsonLines } from '../../src/report/index.ts';
import type { TraceRecord } from '../../src/sim/index.ts';
import showcase from '../../scenarios/showcase.ts';
import transferUnderLoss from '../../scenarios/transfer-under-loss.ts';
import echoServer from '../../scenarios/echo-server.ts';
import acceptLoopLeak from '../../scenarios/accept-loop-leak.ts';
import inspectAbortRace from '../../scenarios/inspect-abort-race.ts';
import conditionalAccept from '../../scenarios/conditional-accept.ts';
import socketConnect from '../../scenarios/socket-connect.ts';

interface Variant {
  readonly title: string;
  readonly properties: Record<string, unknown>;
  readonly required: readonly string[];
}
const schema = JSON.parse(readFileSync(new URL('../../docs/trace-record.schema.json', import.meta.url), 'utf8')) as {
  oneOf: Variant[];
};
const seen = new Set<string>();
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

async function linesOf(scenario: Scenario, seed = scenario.seeds[0] ?? 1): Promise<string[]> {
  const result = await runScenario(scenario, { seed, keepTrace: true });
  const text = traceJsonLines(result.trace as readonly TraceRecord[]);
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

describe('report: trace as JSON lines', () => {
  it('the schema has one variant per catalogued type, with exactly its fields', () => {
    const variants = new Map(schema.oneOf.map((variant) => [variant.title, variant]));
    expect([...variants.keys()].sort()).toEqual(Object.keys(RECORD_FIELDS).sort());
    for (const [type, fields] of Object.entries(RECORD_FIELDS)) {
      const variant = variants.get(type) as Variant;
      expect(Object.keys(variant.properties), type).toEqual(['at', 'type', ...fields]);
      expect(variant.properties['type'], type).toEqual({ const: type });
    }
  });

  it('a line is the record: at and type first, its fields in order, absent ones left out', () => {
    const record = { at: 5, type: 'net.fault', verb: 'crash', a: 'x', b: undefined } as const;
    expect(traceJsonLines([record])).toBe('{"at":5,"type":"net.fault","verb":"crash","a":"x"}\n');
  });

  it.each([
    ['showcase', showcase],
    ['transfer-under-loss', transferUnderLoss],
    ['echo-server', echoServer],
    ['accept-loop-leak (a leak)', acceptLoopLeak],
    ['inspect-abort-race (a violation)', inspectAbortRace],
    ['conditional-accept', conditionalAccept],
    ['socket-connect', socketConnect],
  ] as const)('every line of %s validates against the schema', async (_name, scenario) => {
    const lines = await linesOf(scenario as Scenario);
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      const value = JSON.parse(line) as { type: string };
      seen.add(value.type);
      if (!validate(value)) throw new Error(`${line}\n${JSON.stringify(validate.errors, null, 1)}`);
    }
  });

  it('those runs gave most record types to validate', () => {
    for (const type of ['net.packet', 'net.fault', 'tcp.transition', 'tcp.offer', 'nt.irp', 'nt.pool', 'nt.violation', 'nt.advisory', 'wsk.call', 'wsk.callback'])
      expect(seen, type).toContain(type);
  });

  it('the schema refuses a record with a field its type does not have, or a wrong type', () => {
    expect(validate({ at: 0, type: 'wsk.provider-ready', host: 'a' })).toBe(true);
    expect(validate({ at: 0, type: 'wsk.provider-ready', host: 'a', extra: 1 })).toBe(false);
    expect(validate({ at: 0, type: 'wsk.provider-ready' })).toBe(false);
    expect(validate({ at: -1, type: 'wsk.provider-ready', host: 'a' })).toBe(false);
    expect(validate({ at: 0, type: 'net.nothing' })).toBe(false);
  });
});
