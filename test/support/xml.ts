/**
 * A small XML parser for the tests that read `wsksim test --junit` output: elements, attributes,
 * text, the five predefined entities and numeric references, the declaration and comments. It
 * throws on what is not well-formed (an unclosed or mismatched tag, a stray `<` or `&`), so a
 * test that parses a document also checks that a reader could.
 */

/** An element's attributes; the ones JUnit XML has are named, so they read as fields. */
export interface XmlAttributes {
  readonly [name: string]: string | undefined;
  readonly name?: string;
  readonly classname?: string;
  readonly file?: string;
  readonly tests?: string;
  readonly failures?: string;
  readonly errors?: string;
  readonly time?: string;
  readonly message?: string;
}

export interface XmlElement {
  readonly name: string;
  readonly attributes: XmlAttributes;
  readonly children: readonly XmlElement[];
  /** The element's own text, its children's left out, entities decoded. */
  readonly text: string;
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function decode(text: string): string {
  return text.replace(/&([^;]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new Error(`bad entity: ${whole}`);
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    const value = ENTITIES[name];
    if (value === undefined) throw new Error(`unknown entity: &${name};`);
    return value;
  });
}

/** The document's root element. */
export function parseXml(source: string): XmlElement {
  let at = 0;
  const skipMisc = (): void => {
    for (;;) {
      const rest = source.slice(at);
      const space = /^\s+/.exec(rest);
      if (space !== null) at += space[0].length;
      else if (rest.startsWith('<?')) at = source.indexOf('?>', at) + 2;
      else if (rest.startsWith('<!--')) at = source.indexOf('-->', at) + 3;
      else return;
    }
  };
  const element = (): XmlElement => {
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(
      source.slice(at),
    );
    if (open === null) throw new Error(`expected an element at ${at}: ${source.slice(at, at + 40)}`);
    at += open[0].length;
    const [, name, attributeText, selfClosing] = open as unknown as [string, string, string, string];
    const attributes: Record<string, string> = {};
    for (const match of attributeText.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      const key = match[1] as string;
      if (key in attributes) throw new Error(`attribute ${key} twice on <${name}>`);
      attributes[key] = decode(match[2] ?? match[3] ?? '');
    }
    const children: XmlElement[] = [];
    let text = '';
    if (selfClosing === '/') return { name, attributes, children, text };
    for (;;) {
      const next = source.indexOf('<', at);
      if (next < 0) throw new Error(`<${name}> is never closed`);
      text += decode(source.slice(at, next));
      at = next;
      if (source.startsWith('</', at)) {
        const close = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(source.slice(at));
        if (close?.[1] !== name) throw new Error(`<${name}> closed by ${source.slice(at, at + 20)}`);
        at += close[0].length;
        return { name, attributes, children, text };
      }
      if (source.startsWith('<!--', at)) at = source.indexOf('-->', at) + 3;
      else children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (at !== source.length) throw new Error(`content after the root element at ${at}`);
  return root;
}

/** The children of `element` named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}
