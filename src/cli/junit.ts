/**
 * JUnit XML, as CI systems read it (Jenkins, GitLab, GitHub actions that publish test results):
 * a `<testsuites>` root with the totals, one `<testsuite>` per suite and one `<testcase>` per
 * case; a failing case holds a `<failure message="…">` whose text is the failure in full, and a
 * case may carry `<system-out>`. The format is the one Ant's JUnit task wrote, which the readers
 * follow (https://github.com/windyroad/JUnit-Schema has it as an XSD). Written by hand: five
 * escapes, newlines kept in attributes as `&#10;`, and what XML 1.0 cannot hold replaced.
 */

export interface JUnitCase {
  readonly name: string;
  /** Wall-clock seconds. */
  readonly seconds: number;
  /** The failure, when the case failed: a one-line message and the full text. */
  readonly failure?: { readonly message: string; readonly text: string };
  /** What the case printed besides (a passing case's account). */
  readonly output?: string;
}

export interface JUnitSuite {
  readonly name: string;
  /** The file the suite comes from, when it has one. */
  readonly file?: string;
  readonly cases: readonly JUnitCase[];
}

/** The JUnit XML document of `suites`, named `name`. */
export function junitXml(name: string, suites: readonly JUnitSuite[]): string {
  const all = suites.flatMap((suite) => suite.cases);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name, ...totals(all) })}>`,
  ];
  for (const suite of suites) {
    const head = { name: suite.name, ...totals(suite.cases), file: suite.file };
    lines.push(`  <testsuite${attributes(head)}>`);
    for (const c of suite.cases) lines.push(...caseLines(suite, c));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function caseLines(suite: JUnitSuite, c: JUnitCase): string[] {
  const head = `    <testcase${attributes({
    name: c.name,
    classname: suite.name,
    time: seconds(c.seconds),
    file: suite.file,
  })}`;
  if (c.failure === undefined && c.output === undefined) return [`${head}/>`];
  const body: string[] = [];
  if (c.failure !== undefined) {
    const { message, text } = c.failure;
    body.push(`      <failure${attributes({ message })}>${escape(text)}</failure>`);
  }
  if (c.output !== undefined) body.push(`      <system-out>${escape(c.output)}</system-out>`);
  return [`${head}>`, ...body, '    </testcase>'];
}

function totals(cases: readonly JUnitCase[]): Record<string, string> {
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const time = cases.reduce((sum, c) => sum + c.seconds, 0);
  return { tests: `${cases.length}`, failures: `${failures}`, errors: '0', time: seconds(time) };
}

function seconds(value: number): string {
  return value.toFixed(3);
}

function attributes(values: Readonly<Record<string, string | undefined>>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escape(value).replace(/\n/g, '&#10;')}"`)
    .join('');
}

/** The characters XML 1.0 allows, less the control characters but tab, newline, return. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** `text` escaped for an attribute or element text: `& < > " '`, and what XML cannot hold gone. */
export function escape(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
