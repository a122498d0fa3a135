import { runCli } from '@movies/actions-lib';

/** The Pod Security level the API server enforces on the release's namespace. */
export const POD_SECURITY_LEVEL = 'restricted';

/**
 * The release's namespace with Pod Security Admission labels: `enforce` (the API server refuses
 * pods that break the restricted profile), and `audit`/`warn` at the same level, each pinned to
 * the cluster's minor version so a Kubernetes upgrade does not tighten the profile unannounced.
 */
export function namespaceManifest(namespace: string, kubernetesVersion: string): string {
  const minor = /^(\d+\.\d+)/.exec(kubernetesVersion)?.[1];
  if (!minor) throw new Error(`cluster.kubernetes_version "${kubernetesVersion}" is not a version`);
  const labels = ['enforce', 'audit', 'warn'].flatMap((mode) => [
    `    pod-security.kubernetes.io/${mode}: ${POD_SECURITY_LEVEL}`,
    `    pod-security.kubernetes.io/${mode}-version: v${minor}`,
  ]);
  return [
    'apiVersion: v1',
    'kind: Namespace',
    'metadata:',
    `  name: ${namespace}`,
    '  labels:',
    `    app.kubernetes.io/managed-by: movies-gitops`,
    ...labels,
    '',
  ].join('\n');
}

/**
 * Creates the namespace, or labels it if it exists (server-side apply owns only these labels), so
 * the API server enforces the restricted profile before helm creates any pod in it.
 */
export async function ensureNamespace(
  kubectl: string,
  namespace: string,
  kubernetesVersion: string,
  kubeconfig?: string,
): Promise<void> {
  await runCli(
    kubectl,
    [
      'apply',
      '--server-side',
      '--field-manager=movies-helm-action',
      '-f',
      '-',
      ...(kubeconfig ? ['--kubeconfig', kubeconfig] : []),
    ],
    { input: namespaceManifest(namespace, kubernetesVersion), silent: true },
  );
}
