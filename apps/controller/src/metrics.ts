import { metricsRegistry } from '@kubevirt-migration/service';

/** The controller's Prometheus metrics: reconciles by outcome, errors, duration, queue depth, leadership. */
export const controllerMetrics = (state: { readonly queueDepth: () => number; readonly leader: () => boolean }) => {
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
  return {
    registry: m.registry,
    outcome: (outcome: string, seconds: number): void => {
      reconciles.inc({ outcome });
      duration.observe({ outcome }, seconds);
    },
    error: (): void => errors.inc(),
  };
};
