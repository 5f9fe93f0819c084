/**
 * Tests of src/report/mermaid.ts (issue 17, `--mermaid`): every diagram is parsed by Mermaid's
 * own parser (the `mermaid` package's `mermaid.parse` and the sequence diagram's database, run
 * in Node: its sequence grammar needs no DOM), and what it parsed is compared with the run's
 * trace: the participants, one arrow per packet sent, a cross for each packet lost, the labels as
 * written. Nasty labels (`;`, `#`, `:`, `%%`, arrows, HTML, a newline) survive the escaping.
 */
import mermaid from 'mermaid';
import { describe, expect, it } from 'vitest';
import { runScenario, type Scenario } from '../../src/explore/scenario.ts';
import { escapeMermaid, mermaidDiagram, type MermaidOptions } from '../../src/report/index.ts';
import type { TraceRecord } from '../../src/sim/index.ts';
import { packetRecords } from '../../src/topology/records.ts';
import showcase from '../../scenarios/showcase.ts';
import transferUnderLoss from '../../scenarios/transfer-under-loss.ts';
import echoServer from '../../scenarios/echo-server.ts';

/** Mermaid's message line types (its sequence database's LINETYPE). */
const SOLID = 0;
const NOTE = 2;
const SOLID_CROSS = 3;

interface Parsed {
  readonly actors: { id: string; name: string }[];
  readonly messages: { from: string; to: string; text: string; type: number }[];
}

/**
 * The entity codes Mermaid keeps encoded until it renders (`#59;` is held as a placeholder in
 * the parsed text), decoded as the renderer would.
 */
function decodeEntities(text: string): string {
  return text.replace(/ﬂ°°(\d+)¶ß/g, (_, code: string) => String.fromCodePoint(Number(code)));
}

/** Parses `text` with Mermaid; throws its parse error when the diagram is not valid. */
async function parse(text: string): Promise<Parsed> {
  const result = await mermaid.parse(text);
  expect(result).toMatchObject({ diagramType: 'sequence' });
  const api = mermaid.mermaidAPI as unknown as {
    getDiagramFromText(text: string): Promise<{ db: SequenceDb }>;
  };
  const { db } = await api.getDiagramFromText(text);
  return {
    actors: [...db.getActors().entries()].map(([id, actor]) => ({ id, name: decodeEntities(actor.description) })),
    messages: db.getMessages().map((m) => ({ from: m.from, to: m.to, text: decodeEntities(m.message), type: m.type })),
  };
}
interface SequenceDb {
  getActors(): Map<string, { description: string }>;
  getMessages(): { from: string; to: string; message: string; type: number }[];
}

async function diagramOf<H>(scenario: Scenario<H>, mermaidOptions: MermaidOptions = {}) {
  const result = await runScenario(scenario, { seed: scenario.seeds[0] ?? 1, mermaid: mermaidOptions });
  return { result, text: result.mermaid as string, trace: result.trace as readonly TraceRecord[] };
}

describe('report: Mermaid sequence diagram', () => {
  const nasty = [
    'semi;colon #hash: colon %% not a comment',
    'a->>b: not an arrow --> -x end',
    '<b>bold</b> & "quotes" \'single\' `tick` {braces} |pipe| ~tilde^ $dollar \\back',
    'ünïcödé → ✗ 🙂',
    'line\nbreak\ttab',
    'end',
    'Note over a: not a note',
    '#59; already an entity',
  ];
  it.each(nasty)('an escaped label survives Mermaid\'s parser whole: %j', async (label) => {
    const text = `sequenceDiagram\n  participant p1 as ${escapeMermaid('host;#1')}\n  p1->>p1: ${escapeMermaid(label)}\n  Note over p1: ${escapeMermaid(label)}\n`;
    const parsed = await parse(text);
    expect(parsed.actors).toEqual([{ id: 'p1', name: 'host;#1' }]);
    const expected = label.replace(/\s+/g, ' ').trim();
    expect(parsed.messages.map((m) => m.text)).toEqual([expected, expected]);
  });

  it('the parser is a real check: an unescaped label is cut or refused', async () => {
    await expect(parse('sequenceDiagram\n  a->>b: semi;colon\n')).rejects.toThrow(/Parse error/);
    await expect(parse('sequenceDiagram\n  a->>b: x\n  a-->>: y\n')).rejects.toThrow(/Parse error/);
  });

  it('escapes to letters, digits, spaces, a few plain marks and #code; entities only', () => {
    expect(escapeMermaid('SYN 1→2 seq=0; #x')).toBe('SYN 1#8594;2 seq=0#59; #35;x');
    expect(escapeMermaid('')).toBe('#32;');
  });

  it('the showcase: a participant per host, an arrow per packet sent, a cross for each lost', async () => {
    const { text, trace } = await diagramOf(showcase);
    const parsed = await parse(text);
    expect(parsed.actors).toEqual([{ id: 'p1', name: 'client' }, { id: 'p2', name: 'server' }]);
    const packets = packetRecords(trace);
    const sent = packets.filter((r) => r.phase === 'sent');
    const lost = sent.filter((r) => !packets.some((o) => o.id === r.id && o.phase === 'delivered'));
    expect(lost.length).toBeGreaterThan(0);
    expect(parsed.messages).toHaveLength(sent.length);
    parsed.messages.forEach((message, i) => {
      const record = sent[i] as (typeof sent)[number];
      const isLost = lost.includes(record);
      expect(message.type).toBe(isLost ? SOLID_CROSS : SOLID);
      expect([message.from, message.to]).toEqual(record.source === '10.0.0.1' ? ['p1', 'p2'] : ['p2', 'p1']);
      expect(message.text).toMatch(new RegExp(`^[0-9.]+s ${record.info as string}${isLost ? ' \\(dropped: loss\\)' : ''}$`));
    });
  });

  it('transfer-under-loss and echo-server parse, with notes for TCP states and WSK calls', async () => {
    for (const scenario of [transferUnderLoss, echoServer] as Scenario<unknown>[]) {
      const { text } = await diagramOf(scenario);
      const parsed = await parse(text);
      const notes = parsed.messages.filter((m) => m.type === NOTE).map((m) => m.text);
      expect(notes.some((n) => /CLOSED→SYN-SENT \(active open\)/.test(n))).toBe(true);
      if (scenario === (echoServer as Scenario<unknown>)) {
        expect(notes.some((n) => /WskSocket → STATUS_SUCCESS/.test(n))).toBe(true);
        expect(notes.some((n) => /IRP \d+ WskBind completed STATUS_SUCCESS/.test(n))).toBe(true);
      }
    }
  });

  it('--last N keeps the last N entries; --from/--to a window of virtual time', async () => {
    const whole = await parse((await diagramOf(transferUnderLoss)).text);
    const last = await parse((await diagramOf(transferUnderLoss, { last: 5 })).text);
    expect(last.messages).toEqual(whole.messages.slice(-5));
    const window = await parse((await diagramOf(transferUnderLoss, { from: 20e6, to: 40e6 })).text);
    const times = window.messages.map((m) => Number(/^([0-9.]+)s /.exec(m.text)?.[1]));
    expect(times.length).toBeGreaterThan(0);
    for (const time of times) expect(time >= 0.02 && time <= 0.04).toBe(true);
    const empty = await parse((await diagramOf(transferUnderLoss, { from: 3600e9 })).text);
    expect(empty.messages).toEqual([]);
  });

  it('a trace with no record gives a diagram that still parses', async () => {
    const text = mermaidDiagram([], { hosts: ['a'], hostOf: () => undefined });
    expect(text).toBe('sequenceDiagram\n  %% no trace records\n');
    expect((await parse(text)).messages).toEqual([]);
  });
});
