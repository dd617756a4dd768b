import type { AdmissionOutcome } from '@kubevirt-migration/k8s-adapter';
import { metricsRegistry } from '@kubevirt-migration/service';

/** The webhook's Prometheus metrics: admissions by result, their latency, and the migrations cached. */
export const webhookMetrics = (cached: { readonly all: () => number; readonly inProgress: () => number }) => {
  const m = metricsRegistry('kubevirt_migration_webhook');
  const admissions = m.counter(
    'admissions_total',
    'Requests to the admission endpoint, by result (allowed, denied, error, rejected = not an AdmissionReview).',
    ['result'],
  );
  const latency = m.histogram(
    'admission_duration_seconds',
    'Time from request to answer of the admission endpoint.',
    ['result'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  );
  m.gauge('cached_migrations', 'VirtualMachineInstanceMigrations in the cache, by state.', ['state'], (set) => {
    set(cached.all(), { state: 'all' });
    set(cached.inProgress(), { state: 'in_progress' });
  });
  // one child per result, made once: labelling each request again costs more than the count itself
  const byResult = new Map<string, { readonly count: { inc: () => void }; readonly time: { observe: (v: number) => void } }>();
  return {
    registry: m.registry,
    record: (o: AdmissionOutcome): void => {
      let series = byResult.get(o.result);
      if (series === undefined) {
        series = { count: admissions.labels({ result: o.result }), time: latency.labels({ result: o.result }) };
        byResult.set(o.result, series);
      }
      series.count.inc();
      series.time.observe(o.seconds);
    },
  };
};
