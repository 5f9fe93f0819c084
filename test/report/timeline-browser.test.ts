/**
 * The HTML timeline in a real browser (issue 17): `wsksim run inspect-abort-race --seed 1 --html`
 * writes the page of a failing run; headless Chromium (the system's, driven by playwright-core)
 * loads it with every request recorded and any but the page's own refused, and the lanes, the
 * segment arrows and the violation mark are in the DOM through their data hooks; searching an
 * IRP highlights its events and only them; the keys move between events and to the violation,
 * and zoom; each system thread has its lane with its running and waiting spans; every touch of a
 * pool block is marked, the one after its free as such; the segments and choices the page's script
 * draws are the ones svg.ts draws in Node, and the trace's lines are formatRecord's; no request
 * leaves the page; the screenshot, written under test-output/timeline/, is not blank. The page
 * of a 10,000-event run (bench/timeline.ts) puts only the items in view in the DOM, and
 * selection, search and scrolling still reach the whole run. Skips without Chromium, except
 * under CI=true (test/support/chromium.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { bulk } from '../../bench/timeline.ts';
import { loadScenario } from '../../src/cli/load.ts';
import { timelineRequest } from '../../src/cli/timeline-file.ts';
import { runScenario } from '../../src/explore/scenario.ts';
import { TimelineRecorder, timelineHtml, timelineMarkup } from '../../src/report/index.ts';
import { formatRecord } from '../../src/sim/index.ts';
import { cli } from '../support/cli.ts';
import {
  chromiumPath,
  decodePng,
  distinctColours,
  requireChromium,
} from '../support/chromium.ts';

const OUTPUT = resolve('test-output', 'timeline');

async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu'] });
}

/** Each segment's record, phase, reason and line, as drawn (the DOM) or as svg.ts draws it. */
function segmentsOf(markup: string): string[] {
  const tags = markup.match(/<a [^>]*data-kind="segment"[^>]*>(<line [^>]*>)?/g) ?? [];
  return tags.map((tag) =>
    ['data-record', 'data-phase', 'data-reason', 'x1', 'y1', 'x2', 'y2']
      .map((name) => new RegExp(` ${name}="([^"]*)"`).exec(tag)?.[1] ?? '')
      .join(' '),
  );
}

async function drawnSegments(tab: Page): Promise<string[]> {
  const html = await tab.$$eval('#view [data-kind="segment"]', (marks) =>
    marks.map((mark) => mark.outerHTML).join('\n'),
  );
  return segmentsOf(html);
}

describe('HTML timeline in Chromium', () => {
  it('shows a failing run: lanes, arrows, the violation, IRP search, keys, offline', async (context) => {
    requireChromium(context);
    mkdirSync(OUTPUT, { recursive: true });
    const page = join(OUTPUT, 'inspect-abort-race.html');
    const ran = await cli(['run', 'inspect-abort-race', '--seed', '1', '--html', page]);
    expect(ran.code).toBe(1);
    expect(ran.out).toContain(`wrote ${page}: the run's HTML timeline, `);
    const url = pathToFileURL(page).href;
    const browser = await launch();
    try {
      const tab = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const requests: string[] = [];
      const errors: string[] = [];
      tab.on('request', (request) => void requests.push(request.url()));
      tab.on('pageerror', (error) => void errors.push(error.message));
      await tab.route('**/*', (route) =>
        route.request().url() === url ? route.continue() : route.abort(),
      );
      await tab.goto(url);
      const hosts = await tab.$$eval('line[data-kind="lane"][data-lane="host"]', (lines) =>
        lines.map((line) => line.getAttribute('data-host')),
      );
      expect(hosts).toEqual(['server', 'client1', 'client2', 'client3', 'client4']);
      expect(await tab.locator('[data-kind="lane"][data-lane="socket"]').count()).toBeGreaterThan(3);
      const arrows = tab.locator('[data-kind="segment"][data-phase="delivered"] line');
      expect(await arrows.count()).toBeGreaterThan(5);
      const violation = tab.locator('.mark[data-kind="violation"]');
      expect(await violation.count()).toBe(1);
      expect(await violation.getAttribute('data-rule')).toBe('POOL-USE-AFTER-FREE');
      await expect(violation.isVisible()).resolves.toBe(true);
      expect(await tab.locator('#failure pre').textContent()).toContain('POOL-USE-AFTER-FREE');

      await tab.fill('#search', 'server irp 7');
      const hit = await tab.$$eval('[data-irp].hit', (marks) =>
        marks.map((m) => `${m.getAttribute('data-host')} ${m.getAttribute('data-irp')}`),
      );
      expect(hit.length).toBeGreaterThan(3);
      expect(new Set(hit)).toEqual(new Set(['server 7']));
      expect(await tab.locator('.mark.hit:not([data-irp="7"])').count()).toBe(0);
      expect(await tab.locator('#search-count').textContent()).toMatch(/^\d+ events$/);
      expect(await tab.locator('#trace .hit').count()).toBeGreaterThan(3);

      await tab.locator('#search').press('Escape');
      await tab.keyboard.press('j');
      await tab.keyboard.press('j');
      const current = (): number =>
        (globalThis as unknown as { wsksimTimeline: { current(): number } }).wsksimTimeline.current();
      expect(await tab.evaluate(current)).toBe(1);
      await tab.keyboard.press('v');
      expect(await violation.getAttribute('class')).toContain('current');
      expect(await tab.locator('#details').textContent()).toContain('nt.violation');
      const width = Number(await tab.locator('#timeline').getAttribute('width'));
      await tab.keyboard.press('+');
      expect(Number(await tab.locator('#timeline').getAttribute('width'))).toBeGreaterThan(width);
      await tab.keyboard.press('0');

      // A lane per system thread, with its spans; a wait names its object.
      const threadLanes = tab.locator('line[data-kind="lane"][data-lane="thread"][data-host="server"]');
      expect(await threadLanes.count()).toBeGreaterThan(1);
      expect(await tab.locator('[data-kind="thread"][data-state="running"]').count()).toBeGreaterThan(1);
      const waits = tab.locator('[data-kind="thread"][data-state="waiting"] title');
      expect(await waits.allTextContents()).toContain('thread 1 waiting: KeWaitForSingleObject on KEVENT');
      expect(await tab.locator('.mark[data-kind="thread"][data-event="started"]').count())
        .toBeGreaterThan(1);
      // Every touch of a pool block, and the one after its free.
      expect(await tab.locator('.mark[data-kind="pool"][data-event="touched"]').count())
        .toBeGreaterThan(1);
      const afterFree = tab.locator('.mark[data-after-free="true"]');
      expect(await afterFree.count()).toBe(1);
      expect(await afterFree.getAttribute('data-block')).toBe('3');
      await tab.fill('#search', 'server block 3');
      expect(await tab.locator('.mark.hit[data-event="touched"]').count()).toBeGreaterThan(1);
      await tab.fill('#search', '');

      // What the page's script draws is what svg.ts draws; its trace lines are formatRecord's.
      const scenario = await loadScenario('inspect-abort-race');
      const recorder = new TimelineRecorder();
      const run = await runScenario(scenario, timelineRequest({ seed: 1 }, recorder));
      const markup = timelineMarkup({
        scenario: run.scenario,
        seed: run.seed,
        status: run.status,
        records: run.trace ?? [],
        choices: recorder.choices,
        hosts: run.hosts ?? [],
        ...(run.failure !== undefined && { failure: run.failure }),
      });
      expect((await drawnSegments(tab)).sort()).toEqual(segmentsOf(markup).sort());
      const choiceMarks = await tab.locator('#view [data-kind="choice"]').count();
      expect(choiceMarks).toBe(recorder.choices.length);
      const lines = await tab.$$eval('#trace div[data-record]', (divs) =>
        divs.map((div) => div.textContent),
      );
      expect(lines).toEqual((run.trace ?? []).map((record, r) => `#${r} ${formatRecord(record)}`));

      const shot = join(OUTPUT, 'inspect-abort-race.png');
      await tab.screenshot({ path: shot });
      const pixels = decodePng(readFileSync(shot));
      expect([pixels.width, pixels.height]).toEqual([1400, 900]);
      expect(distinctColours(pixels)).toBeGreaterThan(50);
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await browser.close();
    }
  });

  it('draws a 10,000-event run a window at a time, and reaches all of it', async (context) => {
    requireChromium(context);
    mkdirSync(OUTPUT, { recursive: true });
    const recorder = new TimelineRecorder();
    const run = await runScenario(bulk, timelineRequest({ seed: 1 }, recorder));
    const records = run.trace ?? [];
    expect(run.events).toBeGreaterThan(9000);
    const file = join(OUTPUT, 'bench-timeline-bulk.html');
    const html = timelineHtml({
      scenario: run.scenario,
      seed: run.seed,
      status: run.status,
      records,
      choices: recorder.choices,
      hosts: run.hosts ?? [],
    });
    writeFileSync(file, html);
    expect(html.length).toBeLessThan(4e6);
    const browser = await launch();
    try {
      const tab = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors: string[] = [];
      tab.on('pageerror', (error) => void errors.push(error.message));
      await tab.goto(pathToFileURL(file).href);
      type Api = {
        wsksimTimeline: {
          drawn(): number;
          items(): number;
          marks(): number;
          current(): number;
          select(m: number): void;
        };
      };
      const counts = await tab.evaluate(() => {
        const t = (globalThis as unknown as Api).wsksimTimeline;
        return { drawn: t.drawn(), items: t.items() };
      });
      expect(counts.items).toBeGreaterThan(records.length);
      expect(counts.drawn).toBeGreaterThan(20);
      expect(counts.drawn).toBeLessThan(counts.items / 20);
      expect(await tab.locator('#trace div').count()).toBeLessThan(2000);
      // The last mark, far below: selecting it draws it, current, and its trace line.
      await tab.keyboard.press('v');
      await tab.evaluate(() => {
        const t = (globalThis as unknown as Api).wsksimTimeline;
        t.select(t.marks() - 1);
      });
      const selected = await tab.evaluate(() => (globalThis as unknown as Api).wsksimTimeline.current());
      expect(selected).toBeGreaterThan(20_000);
      expect(await tab.locator('#view .mark.current').count()).toBe(1);
      // A search over the whole run: the hits in view are marked, the first brought into view.
      await tab.fill('#search', 'SYN,ACK');
      expect(await tab.locator('#search-count').textContent()).toMatch(/^[1-9]\d* events$/);
      expect(await tab.locator('#view .mark.hit[data-kind="segment"]').count()).toBeGreaterThan(0);
      await tab.fill('#search', 'client conn 1');
      expect(await tab.locator('#view .mark.hit[data-conn="1"]').count()).toBeGreaterThan(0);
      // Scrolling draws what comes into view.
      await tab.locator('#scroll').evaluate((scroll) => {
        scroll.scrollTop = scroll.scrollHeight / 2;
      });
      await tab.waitForTimeout(100);
      const rows = await tab.$$eval('#view .mark', (marks) =>
        marks.map((mark) => Number(mark.getAttribute('data-row'))),
      );
      const middle = Math.max(...rows);
      expect(middle).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
