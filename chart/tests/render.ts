// Renders the chart with the real helm binary and parses the manifests, for the chart's tests.
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { repoRoot, runTool, type ToolResult } from '@movies/testing';

export const chartDir = path.join(repoRoot, 'chart');
/** The clusters run Kubernetes 1.32 (environments/<env>/env.yaml cluster.kubernetes_version). */
export const kubeVersion = '1.32.0';
export const releaseName = 'movies';
export const namespace = 'movies';

/** Rendered Kubernetes objects are checked field by field; their shapes are Kubernetes', not ours. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Json;
  data?: Record<string, string>;
  [key: string]: unknown;
}

export interface ValuesSet {
  /** What the set is called in test names. */
  name: string;
  /** Values files passed with -f, in order. */
  files: string[];
  /** Overrides: strings go through --set-string (a sha tag stays a string), the rest --set. */
  set?: Record<string, string | number | boolean>;
}

export type HelmResult = ToolResult;

/** Runs the pinned helm; never throws on a non-zero exit (the caller asserts on it). */
export function helm(args: string[]): Promise<HelmResult> {
  return runTool('helm', args);
}

export function valuesArgs(set: ValuesSet): string[] {
  const args: string[] = [];
  for (const file of set.files) args.push('-f', file);
  for (const [key, value] of Object.entries(set.set ?? {})) {
    args.push(typeof value === 'string' ? '--set-string' : '--set', `${key}=${value}`);
  }
  return args;
}

export async function template(set: ValuesSet, extra: string[] = []): Promise<HelmResult> {
  return helm([
    'template',
    releaseName,
    chartDir,
    '--namespace',
    namespace,
    '--kube-version',
    kubeVersion,
    ...valuesArgs(set),
    ...extra,
  ]);
}

/** Renders and parses; throws with helm's message when rendering fails. */
export async function render(
  set: ValuesSet,
  extra: string[] = [],
): Promise<{ text: string; manifests: Manifest[] }> {
  const result = await template(set, extra);
  if (result.code !== 0) throw new Error(`helm template (${set.name}) failed:\n${result.stderr}`);
  return { text: result.stdout, manifests: parseManifests(result.stdout) };
}

export function parseManifests(text: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0)
      throw new Error(`rendered YAML does not parse: ${document.errors[0]?.message}`);
    const value = document.toJS() as Manifest | null;
    if (value) manifests.push(value);
  }
  return manifests;
}

export function find(manifests: Manifest[], kind: string, name?: string): Manifest[] {
  return manifests.filter(
    (m) => m.kind === kind && (name === undefined || m.metadata.name === name),
  );
}

export function one(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = find(manifests, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${found.length}`);
  return found[0]!;
}

export const services = ['web', 'auth', 'data', 'recommendation'] as const;
export type ServiceName = (typeof services)[number];

const localKind: ValuesSet = {
  name: 'examples/local-kind.yaml',
  files: [path.join(chartDir, 'examples', 'local-kind.yaml')],
};

/**
 * Every environment's values, with its release.yaml translated the way the helm action does
 * (services.<svc>.{tag,digest} -> services.<svc>.image.{tag,digest}). Globbed at test time:
 * environments are added by another part of the repository.
 */
export function environmentValuesSets(): ValuesSet[] {
  const environmentsDir = path.join(repoRoot, 'environments');
  if (!fs.existsSync(environmentsDir)) return [];
  const sets: ValuesSet[] = [];
  for (const entry of fs.readdirSync(environmentsDir, { withFileTypes: true })) {
    const valuesFile = path.join(environmentsDir, entry.name, 'values.yaml');
    if (!entry.isDirectory() || !fs.existsSync(valuesFile)) continue;
    const set: Record<string, string> = {};
    const releaseFile = path.join(environmentsDir, entry.name, 'release.yaml');
    if (fs.existsSync(releaseFile)) {
      const release = (parseYaml(fs.readFileSync(releaseFile, 'utf8')) ?? {}) as {
        services?: Record<string, { tag?: string; digest?: string }>;
      };
      for (const [service, pin] of Object.entries(release.services ?? {})) {
        if (pin?.tag) set[`services.${service}.image.tag`] = pin.tag;
        if (pin?.digest) set[`services.${service}.image.digest`] = pin.digest;
      }
    }
    sets.push({ name: `environments/${entry.name}/values.yaml`, files: [valuesFile], set });
  }
  return sets;
}

const digest = (seed: string) => `sha256:${seed.repeat(64).slice(0, 64)}`;
const sha = (seed: string) => seed.repeat(40).slice(0, 40);

/** Production-like: ECR registry, every image pinned by sha tag and digest (as the helm action sets). */
export const productionLike: ValuesSet = {
  name: 'production-like',
  files: [],
  set: Object.fromEntries(
    [['global.imageRegistry', '111111111111.dkr.ecr.eu-west-1.amazonaws.com']].concat(
      services.flatMap((service, i) => [
        [`services.${service}.image.tag`, sha(String(i + 1))],
        [`services.${service}.image.digest`, digest(String.fromCharCode(97 + i))],
      ]),
    ),
  ),
};

/** Every optional part on: in-cluster MongoDB, ingress with TLS, HPAs, a node port. */
export const everythingOn: ValuesSet = {
  name: 'everything on (local-kind + ingress TLS + HPA)',
  files: localKind.files,
  set: {
    'ingress.enabled': true,
    'ingress.host': 'movies.example.test',
    'ingress.tls.enabled': true,
    'ingress.tls.secretName': 'movies-tls',
    'ingress.tls.clusterIssuer': 'letsencrypt',
    ...Object.fromEntries(services.map((s) => [`services.${s}.hpa.enabled`, true])),
  },
};

/** The values sets every linter and validator runs over. */
export function lintedValuesSets(): ValuesSet[] {
  return [{ name: 'defaults', files: [] }, localKind, everythingOn, ...environmentValuesSets()];
}

export { localKind };

/** Renders one template of a chart directory (a copy, for NOTES.txt) and returns its text. */
export async function renderIn(dir: string, set: ValuesSet, template: string): Promise<string> {
  const result = await helm([
    'template',
    releaseName,
    dir,
    '--namespace',
    namespace,
    '--kube-version',
    kubeVersion,
    ...valuesArgs(set),
    '--show-only',
    template,
  ]);
  if (result.code !== 0)
    throw new Error(`helm template ${template} (${set.name}) failed:\n${result.stderr}`);
  return result.stdout;
}
