import { getManifestArgs, templateArgs, upgradeArgs, type ReleaseTarget } from './helmArgs';

const target: ReleaseTarget = {
  release: 'movies',
  namespace: 'movies',
  chart: '/repo/chart',
  valuesFile: '/repo/environments/dev/values.yaml',
};

describe('helm arguments', () => {
  it('upgrades atomically, waiting, with the environment values before the image overrides', () => {
    expect(upgradeArgs({ ...target, kubeconfig: '/tmp/kc' }, ['--set', 'x=1'], '10m')).toEqual([
      'upgrade',
      '--install',
      'movies',
      '/repo/chart',
      '--namespace',
      'movies',
      '--atomic',
      '--wait',
      '--timeout',
      '10m',
      '-f',
      '/repo/environments/dev/values.yaml',
      '--set',
      'x=1',
      '--kubeconfig',
      '/tmp/kc',
    ]);
  });

  it('renders without hooks (like helm get manifest) and needs no cluster', () => {
    const args = templateArgs({ ...target, kubeconfig: '/tmp/kc', kubeVersion: '1.32.4' }, []);
    expect(args).toEqual([
      'template',
      'movies',
      '/repo/chart',
      '--namespace',
      'movies',
      '--skip-tests',
      '--kube-version',
      '1.32.4',
      '-f',
      '/repo/environments/dev/values.yaml',
    ]);
    expect(getManifestArgs(target)).toEqual(['get', 'manifest', 'movies', '--namespace', 'movies']);
  });
});
