import fs from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import YAML from 'yaml';

/** What a kubeconfig's current context says about reaching the API server. */
export interface ClusterAccess {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
}

export class KubernetesError extends Error {
  override name = 'KubernetesError';
}

interface Kubeconfig {
  'current-context'?: string;
  contexts?: Array<{ name: string; context: { cluster: string; user: string } }>;
  clusters?: Array<{
    name: string;
    cluster: {
      server: string;
      'certificate-authority-data'?: string;
      'certificate-authority'?: string;
    };
  }>;
  users?: Array<{
    name: string;
    user: {
      token?: string;
      'client-certificate-data'?: string;
      'client-key-data'?: string;
      'client-certificate'?: string;
      'client-key'?: string;
    };
  }>;
}

const data = (base64?: string, file?: string): Buffer | undefined =>
  base64 ? Buffer.from(base64, 'base64') : file ? fs.readFileSync(file) : undefined;

/** Reads the current context of a kubeconfig (what `kops export kubeconfig --admin` writes). */
export function readKubeconfig(file: string): ClusterAccess {
  let config: Kubeconfig;
  try {
    config = YAML.parse(fs.readFileSync(file, 'utf8')) as Kubeconfig;
  } catch (error) {
    throw new KubernetesError(`kubeconfig ${file}: ${(error as Error).message}`, { cause: error });
  }
  const contextName = config['current-context'];
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new KubernetesError(`kubeconfig ${file}: no current context`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context.user)?.user;
  if (!cluster?.server)
    throw new KubernetesError(`kubeconfig ${file}: cluster ${context.cluster} has no server`);
  if (!user) throw new KubernetesError(`kubeconfig ${file}: no user ${context.user}`);
  return {
    server: cluster.server.replace(/\/$/, ''),
    ca: data(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: data(user['client-certificate-data'], user['client-certificate']),
    key: data(user['client-key-data'], user['client-key']),
    token: user.token,
  };
}

export interface KubernetesObject {
  apiVersion: 'v1';
  kind: 'Secret' | 'ConfigMap';
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** The few calls the sync makes: read a namespace, server-side apply a Secret or ConfigMap. */
export class Kubernetes {
  constructor(private readonly access: ClusterAccess) {}

  private request(
    method: string,
    path: string,
    body?: string,
    contentType?: string,
  ): Promise<{ status: number; text: string }> {
    const url = new URL(`${this.access.server}${path}`);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.access.token) headers.authorization = `Bearer ${this.access.token}`;
    if (body !== undefined) {
      headers['content-type'] = contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const options = {
      method,
      headers,
      ca: this.access.ca,
      cert: this.access.cert,
      key: this.access.key,
      timeout: 30_000,
    };
    return new Promise((resolve, reject) => {
      const send = url.protocol === 'https:' ? https.request : http.request;
      const req = send(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.on('error', (error) =>
        reject(
          new KubernetesError(`${method} ${url.origin}${path}: ${error.message}`, { cause: error }),
        ),
      );
      req.end(body);
    });
  }

  async namespaceExists(namespace: string): Promise<boolean> {
    const { status, text } = await this.request('GET', `/api/v1/namespaces/${namespace}`);
    if (status === 200) return true;
    if (status === 404) return false;
    throw new KubernetesError(
      `GET namespace ${namespace} answered ${status}: ${text.slice(0, 300)}`,
    );
  }

  /** Server-side apply as field manager movies-secrets (creates or updates, keys it owns only). */
  async apply(object: KubernetesObject): Promise<void> {
    const plural = object.kind === 'Secret' ? 'secrets' : 'configmaps';
    const { namespace, name } = object.metadata;
    const { status, text } = await this.request(
      'PATCH',
      `/api/v1/namespaces/${namespace}/${plural}/${name}?fieldManager=movies-secrets&force=true`,
      JSON.stringify(object),
      'application/apply-patch+yaml',
    );
    if (status !== 200 && status !== 201)
      throw new KubernetesError(
        `apply ${object.kind} ${namespace}/${name} answered ${status}: ${text.slice(0, 300)}`,
      );
  }
}
