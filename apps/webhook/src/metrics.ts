import type { AdmissionOutcome } from '@kubevirt-migration/k8s-adapter';
import { metricsRegistry } from '@kubevirt-migration/service';

/** The webhook's Prometheus metrics: admissions by result, their latency, and the migrations cached. */
export const webhookMetrics = (cached: { readonly all: () => number; readonly inProgress: () => number }) => {
  const m = metricsRegistry('kubevirt_migration_webhook');
  // recorded on every admission: the light recorder
  const byResult = m.timings(
    { name: 'admissions_total', help: 'Requests to the admission endpoint, by result (allowed, denied, error, rejected = not an AdmissionReview).' },
    { name: 'admission_duration_seconds', help: 'Time from request to answer of the admission endpoint.' },
    'result',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  );
  m.gauge('cached_migrations', 'VirtualMachineInstanceMigrations in the cache, by state.', ['state'], (set) => {
    set(cached.all(), { state: 'all' });
    set(cached.inProgress(), { state: 'in_progress' });
  });
  const denials = m.projectCounter(
    'admission_denials_total',
    'Setting changes the webhook denied, by the reason of its answer (Invalid, BadRequest, ServiceUnavailable).',
    ['reason'],
  );
  return {
    registry: m.registry,
    record: (o: AdmissionOutcome): void => byResult(o.result, o.seconds),
    denied: (reason: string): void => denials.inc({ reason }),
  };
};
