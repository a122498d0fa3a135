import path from 'node:path';
import { repoRoot } from '@movies/testing';
import { chartServices, redactSecrets } from './chart';

describe('chart', () => {
  it('lists the services of the real chart', () => {
    expect(chartServices(path.join(repoRoot, 'chart')).sort()).toEqual([
      'auth',
      'data',
      'recommendation',
      'web',
    ]);
  });

  it('names a chart without values', () => {
    expect(() => chartServices('/nonexistent')).toThrow(
      /chart: cannot read \/nonexistent\/values.yaml/,
    );
  });

  it('redacts Secret values and leaves other kinds alone', () => {
    const manifest = [
      '# Source: movies/templates/secret.yaml',
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: jwt',
      'data:',
      '  private.pem: LS0tLS1CRUdJTi',
      '  other: c2VjcmV0',
      'stringData:',
      '  uri: mongodb://user:pass@db',
      'type: Opaque',
      '---',
      'kind: ConfigMap',
      'data:',
      '  LOG_LEVEL: info',
      '',
    ].join('\n');
    const redacted = redactSecrets(manifest);
    expect(redacted).not.toMatch(/LS0tLS1CRUdJTi|c2VjcmV0|user:pass/);
    expect(redacted).toContain('  private.pem: (redacted)');
    expect(redacted).toContain('  uri: (redacted)');
    expect(redacted).toContain('type: Opaque');
    expect(redacted).toContain('  LOG_LEVEL: info');
  });
});
