/**
 * Sites from stack frames (sim/site.ts) as Node prints them on Linux, macOS and Windows: a
 * driver's frame is named by its file and line whatever the spelling (a path with spaces, a
 * drive letter and backslashes, a file URL); Node's and dependencies' frames are not drivers'.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ChoiceSource } from '../../src/sim/choice.ts';
import { callerSite, frameSites, slashPath } from '../../src/sim/site.ts';

describe('site: paths as stack frames spell them', () => {
  it('slashPath: POSIX paths, Windows paths and file URLs become one spelling', () => {
    expect(slashPath('/home/me/drv/a.ts')).toBe('/home/me/drv/a.ts');
    expect(slashPath('C:\\Users\\me\\drv\\a.ts')).toBe('C:/Users/me/drv/a.ts');
    expect(slashPath('file:///C:/Users/me/My%20Driver/a.ts')).toBe('C:/Users/me/My Driver/a.ts');
    expect(slashPath('file:///home/me/a%20b.ts')).toBe('/home/me/a b.ts');
  });

  it('frames on Windows, with spaces, as URLs, and anonymous ones name the driver line', () => {
    const stack = [
      'Error: boom',
      '    at node:internal/process/task_queues:95:5',
      '    at acceptEvent (C:\\Program Files\\team\\drv\\accept.ts:41:7)',
      '    at file:///C:/Users/me/My%20Driver/entry.ts:12:3',
      '    at start (/home/me/drv/thread.ts:7:1)',
      '    at run (/home/me/proj/node_modules/dep/index.js:1:1)',
    ].join('\n');
    expect(frameSites(stack)).toEqual([
      { own: false, site: 'C:/Program Files/team/drv/accept.ts:41', name: 'acceptEvent' },
      { own: false, site: 'C:/Users/me/My Driver/entry.ts:12', name: null },
      { own: false, site: '/home/me/drv/thread.ts:7', name: 'start' },
    ]);
  });
});

describe('callerSite: the driver line, found again from the raw stack', () => {
  /** Two driver lines, each asking from under one loop (one caller, one stack but a line). */
  const first = (): string | null => callerSite(); // line A
  const second = (): string | null => callerSite(); // line B

  it('each caller line keeps its own site however often it is asked', () => {
    const sites = [];
    for (let i = 0; i < 4; i++) sites.push(i % 2 === 0 ? first() : second());
    const own = new URL(import.meta.url).pathname.split('/').slice(-3).join('/');
    const lines = readFileSync(new URL(import.meta.url), 'utf8').split('\n');
    const lineOf = (mark: string): number => lines.findIndex((text) => text.endsWith(mark)) + 1;
    const a = `${own}:${lineOf('// line A')}`;
    const b = `${own}:${lineOf('// line B')}`;
    expect(sites).toEqual([a, b, a, b]);
  });
});

describe('callerSite below the choice source: the line under it, however deep the decider', () => {
  /** A decider that asks for the site under 30 frames of its own: more than a first look holds. */
  const deep = (depth: number, ask: () => string | null): string | null =>
    depth === 0 ? ask() : deep(depth - 1, ask);
  const sites: (string | null)[] = [];
  const source = new ChoiceSource({
    seed: 1,
    faultPoints: true,
    clock: () => 0,
    decider: (choice) => {
      sites.push(deep(30, () => choice.site()));
      return 0;
    },
  });
  const stream = source.stream('test');
  const fromC = (): boolean => stream.fault('alloc', 0); // line C
  const fromD = (): boolean => stream.fault('alloc', 0); // line D

  it('two driver lines under the same deep decider keep their own sites', () => {
    for (let i = 0; i < 4; i++) void (i % 2 === 0 ? fromC() : fromD());
    const own = new URL(import.meta.url).pathname.split('/').slice(-3).join('/');
    const lines = readFileSync(new URL(import.meta.url), 'utf8').split('\n');
    const lineOf = (mark: string): number => lines.findIndex((text) => text.endsWith(mark)) + 1;
    const c = `${own}:${lineOf('// line C')}`;
    const d = `${own}:${lineOf('// line D')}`;
    expect(sites).toEqual([c, d, c, d]);
  });
});
