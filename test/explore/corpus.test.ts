import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { Corpus, type CorpusEntry } from '../../src/explore/corpus.ts';

function entry(run: number, found: string[]): CorpusEntry {
  return { run, draws: [], found };
}

describe('explore: the corpus of the coverage strategy', () => {
  it('a passing run counts its points and learns which no run reached before', () => {
    const corpus = new Corpus();
    expect(corpus.count(['a', 'b'])).toEqual(['a', 'b']);
    expect(corpus.count(['b', 'c'])).toEqual(['c']);
    expect(corpus.count(['a', 'b', 'c'])).toEqual([]);
    expect([...corpus.points()]).toEqual(['a', 'b', 'c']);
  });

  it('a tape whose points few runs reach is chosen far more often than a common one', () => {
    const corpus = new Corpus();
    const common = entry(0, corpus.count(['handshake']));
    corpus.add(common);
    for (let i = 0; i < 48; i++) corpus.count(['handshake']);
    const rare = entry(49, corpus.count(['handshake', 'allocation failed']));
    corpus.add(rare);
    const random = seedrandom.xor128('corpus');
    const chosen = Array.from({ length: 1000 }, () => corpus.choose(random));
    const rareShare = chosen.filter((e) => e === rare).length / 1000;
    // Weights 1/1 against 1/50: the rare tape should take about 98% of the turns.
    expect(rareShare).toBeGreaterThan(0.95);
    expect(chosen).toContain(common);
  });

  it('chooses another tape than the one given, and none from an empty corpus', () => {
    const corpus = new Corpus();
    const random = seedrandom.xor128('x');
    expect(corpus.choose(random)).toBeNull();
    const only = entry(0, corpus.count(['a']));
    corpus.add(only);
    expect(corpus.choose(random, only)).toBeNull();
    const second = entry(1, corpus.count(['b']));
    corpus.add(second);
    for (let i = 0; i < 20; i++) expect(corpus.choose(random, only)).toBe(second);
  });
});
