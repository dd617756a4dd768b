import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AdmissionOutcome } from '@kubevirt-migration/k8s-adapter';

/** The webhook's Prometheus metrics: admissions by result, and their latency. */
export const webhookMetrics = (cached: { readonly all: () => number; readonly inProgress: () => number }) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kubevirt_migration_webhook_' });
  const admissions = new Counter({
    name: 'kubevirt_migration_webhook_admissions_total',
    help: 'Requests to the admission endpoint, by result (allowed, denied, error, rejected = not an AdmissionReview).',
    labelNames: ['result'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'kubevirt_migration_webhook_admission_duration_seconds',
    help: 'Time from request to answer of the admission endpoint.',
    labelNames: ['result'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  new Gauge({
    name: 'kubevirt_migration_webhook_cached_migrations',
    help: 'VirtualMachineInstanceMigrations in the cache, by state.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'all' }, cached.all());
      this.set({ state: 'in_progress' }, cached.inProgress());
    },
  });
  return {
    registry,
    record: (o: AdmissionOutcome): void => {
      admissions.inc({ result: o.result });
      latency.observe({ result: o.result }, o.seconds);
    },
  };
};
