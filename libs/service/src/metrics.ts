import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One Prometheus registry per app, every name under the app's prefix, with Node's process metrics:
 * the one place the apps make metrics.
 */
export const metricsRegistry = (prefix: string) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: `${prefix}_` });
  const registers = [registry];
  return {
    registry,
    counter: <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Counter<L>({ name: `${prefix}_${name}`, help, labelNames, registers }),
    histogram: <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
      new Histogram<L>({ name: `${prefix}_${name}`, help, labelNames, buckets, registers }),
    /** A gauge read when scraped. */
    gauge: <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      collect: (set: (value: number, labels?: Partial<Record<L, string>>) => void) => void,
    ) =>
      new Gauge<L>({
        name: `${prefix}_${name}`,
        help,
        labelNames,
        registers,
        collect() {
          collect((value, labels) => (labels === undefined ? this.set(value) : this.set(labels, value)));
        },
      }),
  };
};
