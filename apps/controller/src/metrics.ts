import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The controller's Prometheus metrics: reconciles by outcome, errors, duration, queue depth, leadership. */
export const controllerMetrics = (state: { readonly queueDepth: () => number; readonly leader: () => boolean }) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kubevirt_migration_controller_' });
  const reconciles = new Counter({
    name: 'kubevirt_migration_controller_reconciles_total',
    help: 'Reconcile passes by outcome (Applied, Unchanged, DriftCorrected, Adopted, Invalid, Ignored, Conflict).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const errors = new Counter({ name: 'kubevirt_migration_controller_reconcile_errors_total', help: 'Reconcile passes that failed and were retried with backoff.', registers: [registry] });
  const duration = new Histogram({
    name: 'kubevirt_migration_controller_reconcile_duration_seconds',
    help: 'Time of one reconcile pass.',
    labelNames: ['outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({ name: 'kubevirt_migration_controller_queue_depth', help: 'Keys waiting in the work queue.', registers: [registry], collect() { this.set(state.queueDepth()); } });
  new Gauge({ name: 'kubevirt_migration_controller_leader', help: '1 while this replica holds the lease.', registers: [registry], collect() { this.set(state.leader() ? 1 : 0); } });
  return {
    registry,
    outcome: (outcome: string, seconds: number): void => {
      reconciles.inc({ outcome });
      duration.observe({ outcome }, seconds);
    },
    error: (): void => errors.inc(),
  };
};
