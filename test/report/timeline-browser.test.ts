/**
 * The HTML timeline in a real browser (issue 17): `wsksim run inspect-abort-race --seed 1 --html`
 * writes the page of a failing run; headless Chromium (the system's, driven by playwright-core)
 * loads it with every request recorded and any but the page's own refused, and the lanes, the
 * segment arrows and the violation mark are in the DOM through their data hooks; searching an
 * IRP highlights its events and only them; the keys move between events and to the violation,
 * and zoom; no request leaves the page; the screenshot, written under test-output/timeline/, is
 * not blank. Skips without Chromium, except under CI=true (test/support/chromium.ts).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import {
  chromiumPath,
  decodePng,
  distinctColours,
  requireChromium,
} from '../support/chromium.ts';

const OUTPUT = resolve('test-output', 'timeline');

describe('HTML timeline in Chromium', () => {
  it('shows a failing run: lanes, arrows, the violation, IRP search, keys, offline', async (context) => {
    requireChromium(context);
    mkdirSync(OUTPUT, { recursive: true });
    const page = join(OUTPUT, 'inspect-abort-race.html');
    const ran = await cli(['run', 'inspect-abort-race', '--seed', '1', '--html', page]);
    expect(ran.code).toBe(1);
    expect(ran.out).toContain(`wrote ${page}: the run's HTML timeline, `);
    const url = pathToFileURL(page).href;
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ['--no-sandbox', '--disable-gpu'],
    });
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
});
