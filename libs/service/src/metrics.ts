import {
  collectDefaultMetrics,
  Counter,
  type CounterConfiguration,
  Gauge,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from 'prom-client';

/** The prefix of the operational series that mean the same whichever app exports them (docs/semantics.md §8). */
const PROJECT_PREFIX = 'kubevirt_migration';

/** A series' name and help text. */
interface SeriesName {
  readonly name: string;
  readonly help: string;
}

/** What `timings` records: one observation of one label value. */
type RecordTiming = (labelValue: string, seconds: number) => void;

/** The metric makers of one app's registry (see `metricsRegistry`). */
export interface MetricsRegistry {
  readonly registry: Registry;
  readonly counter: <L extends string>(name: string, help: string, labelNames?: readonly L[]) => Counter<L>;
  /** A counter named under the project's prefix (`kubevirt_migration_…`), for the alerts of the chart's PrometheusRule. */
  readonly projectCounter: <L extends string>(name: string, help: string, labelNames?: readonly L[]) => Counter<L>;
  /** A gauge under the project's prefix, set by the app (not read when scraped). */
  readonly projectGauge: (name: string, help: string) => Gauge;
  readonly histogram: <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ) => Histogram<L>;
  /**
   * For a hot path: a counter and a histogram of durations under one label, both recorded by one
   * call (label value, seconds) at the cost of a lookup and a few number writes. prom-client's own
   * `inc` and `observe` check and hash the labels on every call, which costs more than an
   * admission's own decision. Exposed as prom-client exposes its counters and histograms.
   */
  readonly timings: (
    count: SeriesName,
    duration: SeriesName,
    labelName: string,
    buckets: readonly number[],
  ) => RecordTiming;
  /** A gauge read when scraped. */
  readonly gauge: <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: (set: (value: number, labels?: Partial<Record<L, string>>) => void) => void,
  ) => Gauge<L>;
}

/**
 * One Prometheus registry per app, every name under the app's prefix, with Node's process metrics:
 * the one place the apps make metrics.
 */
export const metricsRegistry = (prefix: string): MetricsRegistry => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: `${prefix}_` });
  const registers = [registry];
  const counter =
    (under: string) =>
    <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Counter<L>({ name: `${under}_${name}`, help, labelNames, registers });
  return {
    registry,
    counter: counter(prefix),
    projectCounter: counter(PROJECT_PREFIX),
    projectGauge: (name: string, help: string) => new Gauge({ name: `${PROJECT_PREFIX}_${name}`, help, registers }),
    histogram: <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
      new Histogram<L>({ name: `${prefix}_${name}`, help, labelNames, buckets, registers }),
    timings: (count, duration, labelName, buckets) =>
      timings(registry, {
        count: { name: `${prefix}_${count.name}`, help: count.help },
        duration: { name: `${prefix}_${duration.name}`, help: duration.help },
        labelName,
        buckets,
      }),
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

interface Series {
  readonly labels: Readonly<Record<string, string>>;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  readonly perBucket: Float64Array;
}

type CounterValues = Awaited<ReturnType<Counter['get']>>['values'];
type HistogramValues = Awaited<ReturnType<Histogram['get']>>['values'];

/** A prom-client Counter whose values are kept elsewhere and read when it is scraped; prom-client renders them. */
class ReadCounter extends Counter {
  constructor(
    config: CounterConfiguration<string>,
    private readonly read: () => CounterValues,
  ) {
    super(config);
  }

  override async get(): ReturnType<Counter['get']> {
    return { ...(await super.get()), values: this.read() };
  }
}

/**
 * The same for a Histogram: its buckets, sum and count per label value are kept elsewhere. The
 * registry renders a histogram through `getForPromString` (which prom-client's own `get` calls), so
 * both answer from an unregistered twin's shape and the values read.
 */
class ReadHistogram extends Histogram {
  private readonly shape: Histogram;

  constructor(
    config: HistogramConfiguration<string>,
    private readonly read: () => HistogramValues,
  ) {
    super(config);
    this.shape = new Histogram({ ...config, registers: [] });
  }

  override async get(): ReturnType<Histogram['get']> {
    return { ...(await this.shape.get()), values: this.read() };
  }

  getForPromString(): ReturnType<Histogram['get']> {
    return this.get();
  }
}

interface TimingsOptions {
  readonly count: SeriesName;
  readonly duration: SeriesName;
  readonly labelName: string;
  readonly buckets: readonly number[];
}

const timings = (registry: Registry, { count, duration, labelName, buckets }: TimingsOptions): RecordTiming => {
  const bounds = [...buckets].sort((a, b) => a - b);
  const series = new Map<string, Series>();
  const registers = [registry];
  new ReadCounter({ name: count.name, help: count.help, labelNames: [labelName], registers }, () =>
    [...series.values()].map((s) => ({ labels: s.labels, value: s.count })),
  );
  new ReadHistogram(
    { name: duration.name, help: duration.help, labelNames: [labelName], buckets: bounds, registers },
    () =>
      [...series.values()].flatMap((s) => {
        let cumulative = 0;
        const le = (bound: number | '+Inf', i: number) => {
          cumulative += s.perBucket[i] ?? 0;
          return { metricName: `${duration.name}_bucket`, labels: { le: bound, ...s.labels }, value: cumulative };
        };
        return [
          ...bounds.map(le),
          le('+Inf', bounds.length),
          { metricName: `${duration.name}_sum`, labels: s.labels, value: s.sum },
          { metricName: `${duration.name}_count`, labels: s.labels, value: s.count },
        ];
      }),
  );
  return (labelValue, seconds) => {
    let s = series.get(labelValue);
    if (s === undefined) {
      s = { labels: { [labelName]: labelValue }, count: 0, sum: 0, perBucket: new Float64Array(bounds.length + 1) };
      series.set(labelValue, s);
    }
    let i = 0;
    while (i < bounds.length && seconds > (bounds[i] ?? 0)) i++;
    s.count++;
    s.sum += seconds;
    s.perBucket[i] = (s.perBucket[i] ?? 0) + 1;
  };
};
