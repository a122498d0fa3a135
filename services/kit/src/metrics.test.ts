import express from 'express';
import request from 'supertest';
import { createMetrics } from './metrics';

describe('createMetrics', () => {
  it('labels by the mounted route pattern and keeps registries apart', async () => {
    const metrics = createMetrics('one');
    const other = createMetrics('two');
    const app = express();
    app.use(metrics.middleware);
    const movies = express.Router();
    movies.get('/:id/ratings', (_req, res) => {
      res.status(204).end();
    });
    app.use('/movies', movies);
    await request(app).get('/movies/tt1/ratings').expect(204);
    await request(app).post('/movies/tt1/ratings').expect(404);

    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'http_request_duration_seconds_count{service="one",method="GET",route="/movies/:id/ratings",status="204"} 1',
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{service="one",method="POST",route="unmatched",status="404"} 1',
    );
    expect(text).not.toContain('tt1');
    expect(await other.registry.metrics()).not.toContain('route="/movies/:id/ratings"');
  });
});
