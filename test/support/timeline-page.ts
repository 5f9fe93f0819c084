/**
 * Reads a timeline page written by `--html` (src/report/timeline/page.ts) without a browser: the
 * page carries its diagram as data its script draws, so a test decodes the data. `pageMarkup`
 * expands the items drawn in Node (every mark but the segments and choices, which the page's
 * script draws from the records and choices: `pageChoices` and `pageRecordCount` read those).
 */
type Value = number | string | boolean | null | [number];

interface PageData {
  readonly templates: readonly string[];
  readonly items: readonly Value[][];
  readonly strings: readonly string[];
  readonly records: readonly Value[][];
  /** [after, label, stream, kind, value, min, max, fault], texts by index. */
  readonly choices: readonly Value[][];
}

export function pageData(html: string): PageData {
  const found = /<script type="application\/json" id="timeline-data">(.*?)<\/script>/s.exec(html);
  if (found === null) throw new Error('no timeline data in the page');
  return JSON.parse(found[1] as string) as PageData;
}

/** The markup of the items drawn in Node, one a line. */
export function pageMarkup(html: string): string {
  const { templates, items, strings } = pageData(html);
  const text = (value: Value | undefined): string =>
    Array.isArray(value) ? (strings[value[0]] as string) : String(value);
  return items
    .map((item) =>
      (templates[item[0] as number] as string).replace(/\$(\d+|w|e)/g, (_, n: string) =>
        text(n === 'w' ? item[3] : n === 'e' ? item[4] : item[5 + Number(n)]),
      ),
    )
    .join('\n');
}

export interface PageChoice {
  readonly label: string;
  readonly value: number;
  readonly min: number;
}

export function pageChoices(html: string): PageChoice[] {
  const { choices, strings } = pageData(html);
  return choices.map((c) => ({
    label: strings[(c[1] as [number])[0]] as string,
    value: c[4] as number,
    min: c[5] as number,
  }));
}

export function pageRecordCount(html: string): number {
  return pageData(html).records.length;
}
