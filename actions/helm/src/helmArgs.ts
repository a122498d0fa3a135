import path from 'node:path';

/** The release every environment runs: one chart, release `movies` in namespace `movies`. */
export interface ReleaseTarget {
  release: string;
  namespace: string;
  /** Chart directory. */
  chart: string;
  /** `environments/<env>/values.yaml` (the chart's own values.yaml is implicit). */
  valuesFile: string;
  kubeconfig?: string;
  /**
   * The cluster's Kubernetes version (env.yaml `cluster.kubernetes_version`): renders without a
   * cluster must see it as `.Capabilities.KubeVersion`, or helm assumes v1.20 and renders
   * version-dependent parts (the preStop sleep) unlike the cluster.
   */
  kubeVersion?: string;
}

function kubeVersionArgs(target: ReleaseTarget): string[] {
  return target.kubeVersion ? ['--kube-version', target.kubeVersion] : [];
}

function kubeconfigArgs(target: ReleaseTarget): string[] {
  return target.kubeconfig ? ['--kubeconfig', target.kubeconfig] : [];
}

export function templateArgs(target: ReleaseTarget, images: string[]): string[] {
  return [
    'template',
    target.release,
    target.chart,
    '--namespace',
    target.namespace,
    // `helm get manifest` leaves hooks out; so does the render we compare with it.
    '--skip-tests',
    ...kubeVersionArgs(target),
    '-f',
    target.valuesFile,
    ...images,
  ];
}

export function lintArgs(target: ReleaseTarget, images: string[]): string[] {
  return [
    'lint',
    target.chart,
    '--namespace',
    target.namespace,
    ...kubeVersionArgs(target),
    '-f',
    target.valuesFile,
    ...images,
  ];
}

export function upgradeArgs(target: ReleaseTarget, images: string[], timeout: string): string[] {
  return [
    'upgrade',
    '--install',
    target.release,
    target.chart,
    '--namespace',
    target.namespace,
    // No --create-namespace: namespace.ts creates it labelled for Pod Security first.
    // --atomic rolls back by itself when the new pods do not become ready in time.
    '--atomic',
    '--wait',
    '--timeout',
    timeout,
    '-f',
    target.valuesFile,
    ...images,
    ...kubeconfigArgs(target),
  ];
}

export function getManifestArgs(target: ReleaseTarget): string[] {
  return [
    'get',
    'manifest',
    target.release,
    '--namespace',
    target.namespace,
    ...kubeconfigArgs(target),
  ];
}

export function rollbackArgs(target: ReleaseTarget, revision: string, timeout: string): string[] {
  return [
    'rollback',
    target.release,
    ...(revision ? [revision] : []),
    '--namespace',
    target.namespace,
    '--wait',
    '--timeout',
    timeout,
    ...kubeconfigArgs(target),
  ];
}

export function uninstallArgs(target: ReleaseTarget, timeout: string): string[] {
  return [
    'uninstall',
    target.release,
    '--namespace',
    target.namespace,
    '--wait',
    '--timeout',
    timeout,
    ...kubeconfigArgs(target),
  ];
}

export function testArgs(target: ReleaseTarget, timeout: string): string[] {
  return [
    'test',
    target.release,
    '--namespace',
    target.namespace,
    '--logs',
    '--timeout',
    timeout,
    ...kubeconfigArgs(target),
  ];
}

export function statusArgs(target: ReleaseTarget): string[] {
  return [
    'status',
    target.release,
    '--namespace',
    target.namespace,
    '-o',
    'json',
    ...kubeconfigArgs(target),
  ];
}

export function environmentValuesFile(root: string, environment: string): string {
  return path.join(root, 'environments', environment, 'values.yaml');
}
