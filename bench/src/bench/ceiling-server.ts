import http from 'node:http';
import express from 'express';

/**
 * The reference servers the hot read paths are compared with, each answering every request with
 * the same movie-sized JSON body: `raw` is node:http alone (the ceiling of the targets),
 * `express` a bare Express 5 app with one route and res.json (what the framework itself allows).
 * Run as its own process (`node ceiling-server.js raw|express`), as each service has its own.
 */
export const CEILING_MOVIE = {
  id: '12-angry-men-1957',
  title: '12 Angry Men',
  year: 1957,
  genres: ['Drama'],
};

export function ceilingServer(kind: 'raw' | 'express'): http.Server {
  if (kind === 'raw') {
    const body = JSON.stringify(CEILING_MOVIE);
    return http.createServer((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    });
  }
  const app = express();
  app.get('/{*any}', (_req, res) => {
    res.json(CEILING_MOVIE);
  });
  return http.createServer(app);
}

if (require.main === module) {
  const kind = process.argv[2];
  if (kind !== 'raw' && kind !== 'express') {
    process.stderr.write('usage: ceiling-server raw|express\n');
    process.exit(2);
  }
  const server = ceilingServer(kind);
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(
      `ceiling listening on ${typeof address === 'object' && address ? address.port : ''}\n`,
    );
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
