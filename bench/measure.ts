/**
 * Side-by-side measurement (docs/design.md#performance-metrics): every figure is a ratio to a
 * baseline measured in the same process, in alternating rounds, so a noisy shared machine moves
 * both sides together.
 */

export interface Metric {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly ratio?: number;
  readonly baseline?: { readonly value: number; readonly unit: string };
  /** For a metric whose value is itself a cost ratio: the figure measured on our side. */
  readonly measured?: { readonly value: number; readonly unit: string };
}

/** Runs `work` once and returns its wall time in seconds. */
export async function timeOnce(work: () => unknown): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

/**
 * Alternates the two sides `rounds` times and keeps each side's best (least disturbed) time.
 * Returns work per second for each.
 */
export async function sideBySide(
  rounds: number,
  units: number,
  ours: () => unknown,
  baseline: () => unknown,
): Promise<{ ours: number; baseline: number }> {
  let bestOurs = Infinity;
  let bestBaseline = Infinity;
  for (let round = 0; round < rounds; round++) {
    bestBaseline = Math.min(bestBaseline, await timeOnce(baseline));
    bestOurs = Math.min(bestOurs, await timeOnce(ours));
  }
  return { ours: units / bestOurs, baseline: units / bestBaseline };
}

export function formatMetric(metric: Metric): string {
  const value = `${round(metric.value)} ${metric.unit}`;
  if (metric.measured !== undefined && metric.baseline !== undefined) {
    const measured = `${round(metric.measured.value)} ${metric.measured.unit}`;
    const baseline = `${round(metric.baseline.value)} ${metric.baseline.unit}`;
    return `${metric.name.padEnd(38)} ${value}  (${measured} vs ${baseline})`;
  }
  if (metric.ratio === undefined || metric.baseline === undefined)
    return `${metric.name.padEnd(38)} ${value}`;
  return `${metric.name.padEnd(38)} ratio ${round(metric.ratio)}  (${value} vs ${round(metric.baseline.value)} ${metric.baseline.unit})`;
}

function round(value: number): string {
  if (value >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}
