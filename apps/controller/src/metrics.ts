import { type MetricsRegistry, metricsRegistry } from '@kubevirt-migration/service';

/**
 * What a pass says about `kubevirt_migration_configured` (docs/semantics.md §8): the CR matches the
 * Setting after these; it does not after these; Conflict and NotLeader say nothing.
 */
const CONFIGURED: Readonly<Record<string, 0 | 1>> = {
  Applied: 1,
  Unchanged: 1,
  DriftCorrected: 1,
  Adopted: 0,
  Invalid: 0,
  Ignored: 0,
};

/** What the controller records: a pass's outcome and duration, or a failed pass. */
export interface ControllerMetrics {
  readonly registry: MetricsRegistry['registry'];
  readonly outcome: (outcome: string, seconds: number) => void;
  readonly error: () => void;
}

/** The controller's Prometheus metrics: reconciles by outcome, errors, duration, queue depth, leadership. */
export const controllerMetrics = (state: {
  readonly queueDepth: () => number;
  readonly leader: () => boolean;
}): ControllerMetrics => {
  const m = metricsRegistry('kubevirt_migration_controller');
  const reconciles = m.counter(
    'reconciles_total',
    'Reconcile passes by outcome (Applied, Unchanged, DriftCorrected, Adopted, Invalid, FeatureGateMissing, Ignored, Conflict, NotLeader).',
    ['outcome'],
  );
  const errors = m.counter('reconcile_errors_total', 'Reconcile passes that failed and were retried with backoff.');
  const duration = m.histogram(
    'reconcile_duration_seconds',
    'Time of one reconcile pass.',
    ['outcome'],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
  m.gauge('queue_depth', 'Keys waiting in the work queue.', [], (set) => set(state.queueDepth()));
  m.gauge('leader', '1 while this replica holds the lease and may write.', [], (set) => set(state.leader() ? 1 : 0));
  const drift = m.projectCounter(
    'drift_corrections_total',
    'Options changed directly on the KubeVirt CR and set back (DriftCorrected passes).',
  );
  const failures = m.projectCounter(
    'apply_failures_total',
    'Reconcile passes that failed to read or write and were retried with backoff.',
  );
  const configured = m.projectGauge(
    'configured',
    "1 while this replica's last pass found the KubeVirt CR configured as the Setting says, else 0 (the alerts take the max over replicas).",
  );
  return {
    registry: m.registry,
    outcome: (outcome: string, seconds: number): void => {
      reconciles.inc({ outcome });
      duration.observe({ outcome }, seconds);
      if (outcome === 'DriftCorrected') drift.inc();
      const value = CONFIGURED[outcome];
      if (value !== undefined) configured.set(value);
    },
    error: (): void => {
      errors.inc();
      failures.inc();
      configured.set(0);
    },
  };
};
