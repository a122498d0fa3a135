import { parseDocument } from 'yaml';
import { namespaceManifest } from './namespace';

describe('namespaceManifest', () => {
  it('labels the namespace so the API server enforces the restricted profile at the cluster minor', () => {
    const doc = parseDocument(namespaceManifest('movies', '1.32.4')).toJS() as {
      kind: string;
      metadata: { name: string; labels: Record<string, string> };
    };
    expect(doc.kind).toBe('Namespace');
    expect(doc.metadata.name).toBe('movies');
    expect(doc.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.32',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  it('refuses a Kubernetes version it cannot read', () => {
    expect(() => namespaceManifest('movies', 'latest')).toThrow(
      'cluster.kubernetes_version "latest" is not a version',
    );
  });
});
