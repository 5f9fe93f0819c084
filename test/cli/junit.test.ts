/**
 * junit.ts: the document's shape (a testsuites root with totals, a testsuite per suite, a
 * testcase per case, a failure with its message and text) and its escaping: markup characters,
 * quotes and newlines in attributes, and characters XML cannot hold, all read back as written.
 */
import { describe, expect, it } from 'vitest';
import { junitXml } from '../../src/cli/junit.ts';
import { childrenNamed, parseXml } from '../support/xml.ts';

describe('junit', () => {
  it('a suite per suite, a case per case, totals on both, failures with message and text', () => {
    const xml = junitXml('all', [
      {
        name: 'one',
        file: 'scenarios/one.ts',
        cases: [
          { name: 'seed 1', seconds: 0.5 },
          { name: 'seed 2', seconds: 0.25, failure: { message: 'boom', text: 'boom\nreplay: x' } },
        ],
      },
      { name: 'two', cases: [{ name: 'a', seconds: 1, output: 'fixed: passes now' }] },
    ]);
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(root.attributes).toMatchObject({ name: 'all', tests: '3', failures: '1', errors: '0' });
    const suites = childrenNamed(root, 'testsuite');
    expect(suites.map((s) => s.attributes)).toEqual([
      { name: 'one', tests: '2', failures: '1', errors: '0', time: '0.750', file: 'scenarios/one.ts' },
      { name: 'two', tests: '1', failures: '0', errors: '0', time: '1.000' },
    ]);
    const [, failing] = childrenNamed(suites[0]!, 'testcase');
    expect(failing?.attributes).toMatchObject({ name: 'seed 2', classname: 'one', time: '0.250' });
    const [failure] = childrenNamed(failing!, 'failure');
    expect(failure?.attributes.message).toBe('boom');
    expect(failure?.text).toBe('boom\nreplay: x');
    const [out] = childrenNamed(childrenNamed(suites[1]!, 'testcase')[0]!, 'system-out');
    expect(out?.text).toBe('fixed: passes now');
  });

  it('escapes what markup would take, keeps newlines in attributes, replaces what XML cannot hold', () => {
    const nasty = `a < b && c > "d" 'e'\nline two \u0001\u001b[31m`;
    const xml = junitXml('x', [
      { name: nasty, cases: [{ name: nasty, seconds: 0, failure: { message: nasty, text: nasty } }] },
    ]);
    const read = nasty.replace(/[\u0001\u001b]/g, '\uFFFD');
    const suite = childrenNamed(parseXml(xml), 'testsuite')[0]!;
    expect(suite.attributes.name).toBe(read);
    const failure = childrenNamed(childrenNamed(suite, 'testcase')[0]!, 'failure')[0]!;
    expect(failure.attributes.message).toBe(read);
    expect(failure.text).toBe(read);
  });
});
