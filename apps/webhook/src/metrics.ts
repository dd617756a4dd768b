import type { AdmissionOutcome } from '@kubevirt-migration/k8s-adapter';
import { type MetricsRegistry, metricsRegistry } from '@kubevirt-migration/service';

/** What the webhook records: each admission's outcome, and each denial's reason. */
interface WebhookMetrics {
  readonly registry: MetricsRegistry['registry'];
  readonly record: (o: AdmissionOutcome) => void;
  readonly denied: (reason: string) => void;
}

/** What the metrics read from the webhook's migration cache when they are scraped. */
export interface CacheGauges {
  readonly all: () => number;
  readonly inProgress: () => number;
  /** Whether a change is now checked against the cache alone (current, and past its settling time after start). */
  readonly answersFromCache: () => boolean;
}

/** The webhook's Prometheus metrics: admissions by result, their latency, and the migrations cached. */
export const webhookMetrics = (cached: CacheGauges): WebhookMetrics => {
  const m = metricsRegistry('kubevirt_migration_webhook');
  // recorded on every admission: the light recorder
  const byResult = m.timings(
    {
      name: 'admissions_total',
      help: 'Requests to the admission endpoint, by result (allowed, denied, error, rejected = not an AdmissionReview).',
    },
    { name: 'admission_duration_seconds', help: 'Time from request to answer of the admission endpoint.' },
    'result',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  );
  m.gauge('cached_migrations', 'VirtualMachineInstanceMigrations in the cache, by state.', ['state'], (set) => {
    set(cached.all(), { state: 'all' });
    set(cached.inProgress(), { state: 'in_progress' });
  });
  m.gauge(
    'migrations_from_cache',
    '1 when a change is checked against the migration cache alone; 0 while it is not current, or is settling after start (the API server is read instead).',
    [],
    (set) => set(cached.answersFromCache() ? 1 : 0),
  );
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
