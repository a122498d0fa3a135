import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';
import { startProcess, type StartedProcess } from './processes';
import { toolPath } from './paths';

/** One request an AWS client sent through the fake endpoint. */
export interface AwsCall {
  /** The signing name from the credential scope: ec2, iam, s3, autoscaling, elasticloadbalancing, sqs, events, sts, secretsmanager… */
  service: string;
  /** The API operation: `Action` of query-protocol services, the `X-Amz-Target` operation of JSON ones, a REST name for S3. */
  action: string;
  method: string;
  path: string;
  /** Query-protocol form fields, or the parsed JSON body, or {} for S3. */
  params: Record<string, unknown>;
  status: number;
  /** The response body (XML or JSON), for ids of what a call created. */
  response: string;
}

export interface AmiFixture {
  ami_id: string;
  owner_id: string;
  name: string;
  architecture?: 'x86_64' | 'arm64';
}

export interface FakeAwsOptions {
  /** The account moto reports (sts GetCallerIdentity, ARNs). Default 111111111111. */
  accountId?: string;
  region?: string;
  /** Images DescribeImages knows, instead of moto's defaults. */
  amis?: AmiFixture[];
}

export interface FakeAws {
  /** For AWS_ENDPOINT_URL (and S3_ENDPOINT for kOps' state store). */
  url: string;
  accountId: string;
  region: string;
  /** Every call, in order. */
  calls: AwsCall[];
  /** Environment variables that point an AWS SDK (and kOps' S3 client) here with test credentials. */
  env: Record<string, string>;
  /** Sends one query/JSON/REST request (test setup, recorded like any call), returning the body. */
  request(service: string, init: FakeAwsRequest): Promise<string>;
  stop(): Promise<void>;
}

export interface FakeAwsRequest {
  method?: string;
  path?: string;
  /** Query-protocol form fields (Action, Version, …). */
  form?: Record<string, string>;
  /** JSON-protocol target (e.g. secretsmanager.CreateSecret) and body. */
  target?: string;
  json?: unknown;
  body?: string;
}

const JSON_TARGET = /^[A-Za-z0-9_]+\.([A-Za-z0-9]+)$/;

function serviceOf(authorization: string | undefined): string {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  return scope?.[1] ?? 'unknown';
}

function s3Action(method: string, url: URL): string {
  const [bucket, ...key] = url.pathname.replace(/^\//, '').split('/');
  const hasKey = key.join('/') !== '';
  const sub = [...url.searchParams.keys()][0];
  if (!bucket) return 'ListBuckets';
  if (!hasKey) {
    if (sub) return `${method}Bucket:${sub}`;
    return { GET: 'ListObjects', PUT: 'CreateBucket', DELETE: 'DeleteBucket', HEAD: 'HeadBucket' }[
      method
    ]!;
  }
  return (
    { GET: 'GetObject', PUT: 'PutObject', DELETE: 'DeleteObject', HEAD: 'HeadObject' }[method] ??
    `${method}Object`
  );
}

/** Calls moto does not implement but AWS clients make; answered here with an empty result. */
function gapAnswer(service: string, action: string): string | undefined {
  if (service === 'autoscaling' && action === 'DescribeWarmPool')
    return '<DescribeWarmPoolResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeWarmPoolResult><Instances/></DescribeWarmPoolResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></DescribeWarmPoolResponse>';
  return undefined;
}

function fakeAuthorization(service: string, region: string): string {
  return `AWS4-HMAC-SHA256 Credential=AKIDFAKEAWS/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

/**
 * moto (the pinned `moto_server`) on a loopback port behind a recording proxy: every request an
 * AWS SDK sends is recorded with its service, operation and parameters, then forwarded to moto,
 * which keeps the resources and answers as AWS would. Calls moto lacks are answered by the proxy.
 */
export async function startFakeAws(options: FakeAwsOptions = {}): Promise<FakeAws> {
  const accountId = options.accountId ?? '111111111111';
  const region = options.region ?? 'eu-west-1';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-aws-'));
  const motoEnv: NodeJS.ProcessEnv = { ...process.env, MOTO_ACCOUNT_ID: accountId };
  if (options.amis) {
    const amisFile = path.join(dir, 'amis.json');
    fs.writeFileSync(
      amisFile,
      JSON.stringify(
        options.amis.map((ami) => ({
          state: 'available',
          public: true,
          image_location: `${ami.owner_id}/${ami.name}`,
          sriov: 'simple',
          root_device_type: 'ebs',
          root_device_name: '/dev/sda1',
          description: ami.name,
          image_type: 'machine',
          platform: null,
          architecture: 'x86_64',
          virtualization_type: 'hvm',
          hypervisor: 'xen',
          ...ami,
        })),
      ),
    );
    motoEnv.MOTO_AMIS_PATH = amisFile;
  }
  const motoPort = await freePort();
  const motoUrl = `http://127.0.0.1:${motoPort}`;
  let moto: StartedProcess;
  try {
    moto = await startProcess(
      toolPath('moto_server'),
      ['-H', '127.0.0.1', '-p', String(motoPort)],
      {
        env: motoEnv,
        readyUrl: `${motoUrl}/moto-api/data.json`,
        timeoutMs: 60_000,
      },
    );
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const calls: AwsCall[] = [];
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://fake-aws');
      const service = serviceOf(req.headers.authorization);
      const target = req.headers['x-amz-target'];
      let action: string;
      let params: Record<string, unknown> = {};
      if (typeof target === 'string') {
        action = JSON_TARGET.exec(target)?.[1] ?? target;
        params = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      } else if (service === 's3') {
        action = s3Action(req.method ?? 'GET', url);
        // Multi-object deletes name their keys in the body.
        if (action === 'POSTBucket:delete')
          params = {
            keys: [...body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]),
          };
      } else {
        const form = new URLSearchParams(
          req.method === 'GET' ? url.searchParams : body.toString('utf8'),
        );
        params = Object.fromEntries(form);
        action = form.get('Action') ?? `${req.method} ${url.pathname}`;
      }
      const record = (status: number, response: string) =>
        calls.push({
          service,
          action,
          method: req.method ?? 'GET',
          path: url.pathname,
          params,
          status,
          response,
        });
      const gap = gapAnswer(service, action);
      if (gap) {
        record(200, gap);
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(gap);
        return;
      }
      const headers = { ...req.headers, host: `127.0.0.1:${motoPort}` };
      const upstream = http.request(
        `${motoUrl}${req.url}`,
        { method: req.method, headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const payload = Buffer.concat(parts);
            record(answer.statusCode ?? 0, payload.toString('utf8'));
            const { 'transfer-encoding': _chunked, ...rest } = answer.headers;
            res.writeHead(answer.statusCode ?? 502, {
              ...rest,
              'content-length': String(payload.length),
            });
            res.end(payload);
          });
        },
      );
      upstream.on('error', (error) => {
        record(502, error.message);
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fake AWS: moto did not answer: ${error.message}`);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    accountId,
    region,
    calls,
    env: {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: 'AKIDFAKEAWS',
      AWS_SECRET_ACCESS_KEY: 'fake-aws-test-only',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL: url,
      // kOps' state store client reads these instead (path-style requests to a non-AWS S3).
      S3_ENDPOINT: url,
      S3_REGION: region,
      S3_ACCESS_KEY_ID: 'AKIDFAKEAWS',
      S3_SECRET_ACCESS_KEY: 'fake-aws-test-only',
    },
    async request(service, init) {
      const headers: Record<string, string> = {
        authorization: fakeAuthorization(service, region),
      };
      let body = init.body;
      if (init.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(init.form).toString();
      } else if (init.target) {
        headers['content-type'] = 'application/x-amz-json-1.1';
        headers['x-amz-target'] = init.target;
        body = JSON.stringify(init.json ?? {});
      }
      // Through the proxy: setup calls are recorded like a client's.
      const response = await fetch(`${url}${init.path ?? '/'}`, {
        method: init.method ?? 'POST',
        headers,
        body,
      });
      const text = await response.text();
      if (!response.ok)
        throw new Error(
          `fake AWS setup: ${service} ${init.form?.Action ?? init.target ?? init.path} answered ${response.status}: ${text.slice(0, 500)}`,
        );
      return text;
    },
    async stop() {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await moto.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
