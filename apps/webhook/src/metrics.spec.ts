import { webhookMetrics } from './metrics.js';

const scrape = async (answersFromCache: boolean): Promise<string> => {
  const m = webhookMetrics({ all: () => 3, inProgress: () => 1, answersFromCache: () => answersFromCache });
  return m.registry.metrics();
};

describe('webhook metrics', () => {
  it('says 1 in kubevirt_migration_webhook_migrations_from_cache when a change is checked against the cache alone', async () => {
    expect(await scrape(true)).toMatch(/^kubevirt_migration_webhook_migrations_from_cache 1$/m);
  });

  it('says 0 while the cache is not current or still settling after start', async () => {
    expect(await scrape(false)).toMatch(/^kubevirt_migration_webhook_migrations_from_cache 0$/m);
  });

  it('reports the migrations cached, all and in progress', async () => {
    const text = await scrape(true);
    expect(text).toMatch(/^kubevirt_migration_webhook_cached_migrations\{state="all"\} 3$/m);
    expect(text).toMatch(/^kubevirt_migration_webhook_cached_migrations\{state="in_progress"\} 1$/m);
  });
});
