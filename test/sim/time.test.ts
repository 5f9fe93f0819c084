import { describe, expect, it } from 'vitest';
import { SimConfigError, formatDuration, formatInstant, ms, ns, parseDuration, seconds, us } from '../../src/sim/index.ts';

describe('sim: durations', () => {
  it('unit strings parse to integer nanoseconds', () => {
    expect(parseDuration('latency', '250us')).toBe(250_000);
    expect(parseDuration('latency', '5ms')).toBe(5_000_000);
    expect(parseDuration('latency', '1.5s')).toBe(1_500_000_000);
    expect(parseDuration('latency', '7ns')).toBe(7);
    expect(parseDuration('latency', '2m')).toBe(120e9);
    expect(parseDuration('latency', ' 0ms ')).toBe(0);
  });

  it('helpers give the same values as the strings', () => {
    expect(parseDuration('x', ms(5))).toBe(parseDuration('x', '5ms'));
    expect(parseDuration('x', us(250))).toBe(250_000);
    expect(parseDuration('x', seconds(1.5))).toBe(1.5e9);
    expect(parseDuration('x', ns(3))).toBe(3);
  });

  it('a bare number is rejected naming the option and showing both forms', () => {
    expect(() => parseDuration('links[a-b].latency', 5)).toThrow(SimConfigError);
    expect(() => parseDuration('links[a-b].latency', 5)).toThrow(
      /option 'links\[a-b\]\.latency': a bare number \(5\) is not a duration; write a unit string such as '5ms' or a helper such as ms\(5\)/,
    );
  });

  it.each(['5', '5 parsecs', '-5ms', 'ms', '', '1e3ms', '5ms5'])('malformed %j is rejected naming the option', (text) => {
    expect(() => parseDuration('timeLimit', text)).toThrow(/option 'timeLimit': malformed duration/);
  });

  it('non-string, non-helper values are rejected', () => {
    expect(() => parseDuration('until', { ns: 5 })).toThrow(/option 'until': expected a duration/);
    expect(() => parseDuration('until', null)).toThrow(/option 'until'/);
    expect(() => ms(-1)).toThrow(/option 'ms\(\)'/);
  });

  it('formats instants with microsecond precision and durations with their largest exact unit', () => {
    expect(formatInstant(1_234_567_891)).toBe('1.234567s');
    expect(formatInstant(0)).toBe('0.000000s');
    expect(formatDuration(5_000_000)).toBe('5ms');
    expect(formatDuration(1_500_000_000)).toBe('1.5s');
    expect(formatDuration(250_000)).toBe('250us');
  });
});
