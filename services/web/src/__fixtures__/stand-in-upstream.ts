import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface StandInReply {
  status?: number;
  body?: unknown;
  /** Sent as is instead of JSON (to simulate a broken upstream). */
  raw?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

type Handler = (request: RecordedRequest) => StandInReply;

/**
 * A stand-in for auth, data or recommendation on a loopback port: records every request and
 * answers from a handler the test sets. It can be stopped and started again on the same port.
 */
export class StandInUpstream {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  private port = 0;
  private handler: Handler = () => ({ status: 200, body: { ok: true } });

  constructor(readonly name: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  reply(handler: Handler): void {
    this.handler = handler;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        const reply =
          req.url === '/healthz' ? { status: 200, body: { status: 'ok' } } : this.handler(recorded);
        if (req.url !== '/healthz') this.requests.push(recorded);
        const answer = () => {
          if (res.destroyed) return;
          res.writeHead(reply.status ?? 200, {
            'content-type': 'application/json',
            ...reply.headers,
          });
          res.end(reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body)));
        };
        if (reply.delayMs) setTimeout(answer, reply.delayMs).unref();
        else answer();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Requests other than health probes whose path starts with `prefix`. */
  seen(prefix = ''): RecordedRequest[] {
    return this.requests.filter((request) => request.url.startsWith(prefix));
  }
}
