import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeEcr {
  /** For AWS_ENDPOINT_URL_ECR. */
  readonly url: string;
  /** `registryId/repository@digest` of every DescribeImages call. */
  readonly described: string[];
  stop(): Promise<void>;
}

/**
 * An ECR API stand-in on loopback answering DescribeImages (AWS JSON 1.1 protocol) from a set of
 * `repository@digest`, so the real AWS SDK client in the bundled action is exercised end to end.
 */
export async function startFakeEcr(images: Iterable<string>): Promise<FakeEcr> {
  const present = new Set(images);
  const described: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256')) {
        reply(403, {
          __type: 'MissingAuthenticationTokenException',
          message: 'request is not signed',
        });
        return;
      }
      if (!target.endsWith('.DescribeImages')) {
        reply(400, {
          __type: 'UnknownOperationException',
          message: `fake ECR does not implement ${target}`,
        });
        return;
      }
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        registryId?: string;
        repositoryName: string;
        imageIds?: Array<{ imageDigest?: string }>;
      };
      const digests = (input.imageIds ?? []).map((id) => id.imageDigest ?? '');
      for (const digest of digests)
        described.push(`${input.registryId}/${input.repositoryName}@${digest}`);
      const missing = digests.find((digest) => !present.has(`${input.repositoryName}@${digest}`));
      if (missing !== undefined) {
        reply(400, {
          __type: 'ImageNotFoundException',
          message: `The image with imageId {imageDigest:'${missing}'} does not exist within the repository`,
        });
        return;
      }
      reply(200, {
        imageDetails: digests.map((digest) => ({
          registryId: input.registryId,
          repositoryName: input.repositoryName,
          imageDigest: digest,
        })),
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    described,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
