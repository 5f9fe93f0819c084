/**
 * The HTML timeline (src/report/timeline/): for inspect-abort-race seed 1 (a pool block used after
 * its free), the page has a lane per host and per socket, an arrow per delivered segment, the IRP
 * lifetimes, the choices the run drew, the violation marked and linked to its report; every mark
 * links to a trace record that is in the page; nothing is loaded from outside; and noting the
 * choices leaves the run as it is (the same trace hash). The page carries its diagram as data that
 * its script draws a window at a time: the marks are asserted here on timelineMarkup (every item
 * drawn, as the page draws it), the page on its HTML; test/report/timeline-browser.test.ts loads
 * pages in Chromium.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/explore/scenario.ts';
import { loadScenario } from '../../src/cli/load.ts';
import {
  TIMELINE_CSP,
  TimelineRecorder,
  timelineHtml,
  timelineMarkup,
  type TimelineInput,
} from '../../src/report/index.ts';
import { timelineRequest } from '../../src/cli/timeline-file.ts';

async function racePage(): Promise<{
  html: string;
  markup: string;
  input: TimelineInput;
  hash: string;
  plainHash: string;
}> {
  const scenario = await loadScenario('inspect-abort-race');
  const plain = await runScenario(scenario, { seed: 1 });
  const recorder = new TimelineRecorder();
  const result = await runScenario(scenario, timelineRequest({ seed: 1 }, recorder));
  const input: TimelineInput = {
    scenario: result.scenario,
    seed: result.seed,
    status: result.status,
    records: result.trace ?? [],
    choices: recorder.choices,
    hosts: result.hosts ?? [],
    ...(result.failure !== undefined && { failure: result.failure }),
    report: 'the report <as printed>',
  };
  const html = timelineHtml(input);
  const markup = timelineMarkup(input);
  return { html, markup, input, hash: result.traceHash, plainHash: plain.traceHash };
}

/** The opening tags carrying `data-kind="<kind>"`. */
function tags(html: string, kind: string): string[] {
  return html.match(new RegExp(`<[a-z]+ [^>]*data-kind="${kind}"[^>]*>`, 'g')) ?? [];
}

function attr(tag: string, name: string): string | undefined {
  return new RegExp(` ${name}="([^"]*)"`).exec(tag)?.[1];
}

describe('HTML timeline', () => {
  it('draws inspect-abort-race: lanes, segments, IRPs, choices and the violation', async () => {
    const { html, markup, hash, plainHash } = await racePage();
    expect(hash).toBe(plainHash);
    const lanes = tags(markup, 'lane');
    const hostLanes = lanes.filter((tag) => attr(tag, 'data-lane') === 'host');
    expect(hostLanes.map((tag) => attr(tag, 'data-host'))).toEqual([
      'server', 'client1', 'client2', 'client3', 'client4',
    ]);
    expect(lanes.some((tag) => attr(tag, 'data-lane') === 'socket')).toBe(true);
    const segments = tags(markup, 'segment');
    const delivered = segments.filter((tag) => attr(tag, 'data-phase') === 'delivered');
    expect(delivered.length).toBeGreaterThan(5);
    expect(new Set(delivered.map((tag) => attr(tag, 'data-target')))).toContain('server');
    const irps = tags(markup, 'irp');
    expect(irps.some((tag) => attr(tag, 'data-irp') === '7' && attr(tag, 'data-host') === 'server'))
      .toBe(true);
    const pool = tags(markup, 'pool');
    // Every touch of a block is on its column; the one after its free is the violation's.
    const touched = pool.filter((tag) => attr(tag, 'data-event') === 'touched');
    expect(touched.length).toBeGreaterThan(1);
    const afterFree = touched.filter((tag) => attr(tag, 'data-after-free') === 'true');
    expect(afterFree.map((tag) => [attr(tag, 'data-host'), attr(tag, 'data-block')])).toEqual([
      ['server', '3'],
    ]);
    expect(markup).toContain('block #3 touched after its free');
    expect(markup).toMatch(/<line class="after-free"/);
    // A lane per system thread: the server's DriverEntry and its work items, each thread's
    // running and waiting spans, a wait naming its object.
    const threadLanes = lanes.filter((tag) => attr(tag, 'data-lane') === 'thread');
    expect(threadLanes.filter((tag) => attr(tag, 'data-host') === 'server').length)
      .toBeGreaterThan(1);
    const spans = tags(markup, 'thread');
    const states = new Set(spans.map((tag) => attr(tag, 'data-state') ?? attr(tag, 'data-event')));
    for (const state of ['running', 'waiting', 'started', 'ended']) expect(states).toContain(state);
    expect(markup).toMatch(/thread \d+ waiting: KeWaitForSingleObject on KEVENT/);
    expect(pool.some((tag) => attr(tag, 'data-block') === '3' && attr(tag, 'data-event') === 'freed'))
      .toBe(true);
    expect(tags(markup, 'inspection').length).toBeGreaterThan(0);
    expect(tags(markup, 'callback').length).toBeGreaterThan(0);
    const choices = tags(markup, 'choice');
    expect(choices.length).toBeGreaterThan(0);
    expect(choices.some((tag) => attr(tag, 'data-default') === 'false')).toBe(true);
    const violations = tags(markup, 'violation');
    expect(violations.map((tag) => attr(tag, 'data-rule'))).toEqual([
      'POOL-USE-AFTER-FREE', 'POOL-USE-AFTER-FREE',
    ]);
    expect(violations.every((tag) => attr(tag, 'href') === '#failure')).toBe(true);
    // The band's text names the rule once: the violation's message begins with it.
    expect(markup).toMatch(/>POOL-USE-AFTER-FREE: read of /);
    expect(markup).not.toContain('POOL-USE-AFTER-FREE: POOL-USE-AFTER-FREE');
    expect(html).toContain('<section id="failure" data-kind="report" data-failure="violation">');
    expect(html).toContain('the report &lt;as printed&gt;');
  });

  it('links every mark to a record or choice in the page, and loads nothing', async () => {
    const { html, markup, input } = await racePage();
    const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    input.records.forEach((_, r) => ids.add(`r${r}`));
    input.choices?.forEach((_, c) => ids.add(`c${c}`));
    const links = [...markup.matchAll(/<a href="#([^"]+)"/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(200);
    expect(links.filter((id) => !ids.has(id))).toEqual([]);
    expect(ids).toContain('failure');
    expect(html).toContain(`content="${TIMELINE_CSP}"`);
    expect(html).not.toMatch(/\b(src|href)="(https?:|\/\/)/);
    expect(html).not.toMatch(/<link\b|@import|url\((?!#)/);
  });

  it('shades a partition and marks dropped segments with the reason', () => {
    const records = [
      { at: 0, type: 'net.fault', verb: 'partition', a: 'a', b: 'b' },
      {
        at: 1000, type: 'net.packet', phase: 'sent', id: 1, source: '10.0.0.1',
        target: '10.0.0.2', bytes: 40, reason: undefined, digest: 1, info: 'SYN 1→2 seq=0',
      },
      {
        at: 2000, type: 'net.packet', phase: 'dropped', id: 1, source: '10.0.0.1',
        target: '10.0.0.2', bytes: 40, reason: 'partition', digest: 1, info: 'SYN 1→2 seq=0',
      },
      { at: 50_000_000, type: 'net.fault', verb: 'heal', a: 'a', b: 'b' },
    ] as const;
    const html = timelineMarkup({
      scenario: 'made-up',
      seed: 3,
      status: 'passed',
      records,
      hosts: [
        { name: 'a', addresses: ['10.0.0.1'] },
        { name: 'b', addresses: ['10.0.0.2'] },
      ],
    });
    expect(tags(html, 'partition').map((tag) => attr(tag, 'data-host'))).toEqual(['a', 'b']);
    const dropped = tags(html, 'segment').filter((tag) => attr(tag, 'data-phase') === 'dropped');
    expect(dropped.map((tag) => attr(tag, 'data-reason'))).toEqual(['partition']);
    expect(html).toMatch(/data-kind="break"[^]*… 49.998ms idle/);
  });
});
