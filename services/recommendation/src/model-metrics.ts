import { Gauge, type Registry } from 'prom-client';
import type { RecommendationModel } from './engine/model';
import type { ModelSync } from './model-sync';

/**
 * The model's freshness and size on /metrics, read at scrape time. Alert on
 * `time() - recommendation_model_last_refresh_timestamp_seconds` growing: while data is down the
 * service stays ready and serves an ageing model (see README), and this is where that shows.
 */
export function registerModelMetrics(
  registry: Registry,
  model: RecommendationModel,
  sync: ModelSync,
): void {
  new Gauge({
    name: 'recommendation_model_last_refresh_timestamp_seconds',
    help: "Start of the last successful refresh of the model from data's change feed (Unix time); everything committed before it is in the model. 0 before the first load.",
    registers: [registry],
    collect() {
      const at = sync.lastSuccessAt();
      this.set(at === undefined ? 0 : at / 1000);
    },
  });
  const size = new Gauge({
    name: 'recommendation_model_size',
    help: 'What the model holds: ratings, users and catalog movies.',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const stats = model.stats();
      size.set({ kind: 'ratings' }, stats.ratings);
      size.set({ kind: 'users' }, stats.users);
      size.set({ kind: 'movies' }, stats.items);
    },
  });
}
