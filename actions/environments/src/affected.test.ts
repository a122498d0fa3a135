import { affectedEnvironments, impactOf } from './affected';

const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const names = (files: string[]) =>
  affectedEnvironments(files, ENVIRONMENTS).map((entry) => entry.name);

describe('affected environments', () => {
  it('a change to one environment folder affects only that environment', () => {
    expect(names(['environments/prod/values.yaml'])).toEqual(['prod']);
    expect(names(['environments/staging/release.yaml', 'environments/dev/env.yaml'])).toEqual([
      'dev',
      'staging',
    ]);
  });

  it.each([
    ['terraform/modules/network/main.tf'],
    ['terraform/environment/variables.tf'],
    ['chart/templates/deployment.yaml'],
    ['services/auth/src/app.ts'],
    ['environments/schema/env.schema.json'],
  ])('%s affects every environment, in promotion order', (file) => {
    expect(names(['environments/prod/env.yaml', file])).toEqual(['dev', 'staging', 'prod']);
  });

  it.each([
    ['actions/kops/src/manifest.ts', ['infrastructure']],
    ['actions/terraform/src/config.ts', ['infrastructure']],
    ['scripts/toolchain/tools.json', ['infrastructure', 'release']],
    ['actions/helm/src/render.ts', ['release']],
    ['actions/lib/src/environment.ts', ['infrastructure', 'release']],
    ['.github/actions/setup-tools/action.yml', ['infrastructure', 'release']],
  ])('%s defines what is applied: every environment needs %j', (file, kinds) => {
    expect(affectedEnvironments([file], ENVIRONMENTS)).toEqual(
      ENVIRONMENTS.map((name) => ({ name, because: file, kinds })),
    );
  });

  it('says what each environment needs: a release.yaml is Helm only, env.yaml both', () => {
    expect(affectedEnvironments(['environments/staging/release.yaml'], ENVIRONMENTS)).toEqual([
      { name: 'staging', because: 'environments/staging/release.yaml', kinds: ['release'] },
    ]);
    expect(
      affectedEnvironments(
        [
          'environments/prod/values.yaml',
          'environments/dev/env.yaml',
          'terraform/modules/network/main.tf',
        ],
        ENVIRONMENTS,
      ).map((e) => [e.name, e.kinds]),
    ).toEqual([
      ['dev', ['infrastructure', 'release']],
      ['staging', ['infrastructure']],
      ['prod', ['infrastructure', 'release']],
    ]);
  });

  it('tests and fixtures beside the renderers change nothing that is applied', () => {
    expect(
      names([
        'actions/kops/src/manifest.test.ts',
        'actions/terraform/src/__fixtures__/plan-mixed.json',
      ]),
    ).toEqual([]);
  });

  it('documentation-only changes affect nothing', () => {
    expect(
      names([
        'README.md',
        'docs/architecture.md',
        'environments/README.md',
        'chart/README.md',
        'terraform/modules/network/README.md',
        'docs/diagram.png',
      ]),
    ).toEqual([]);
  });

  it('changes outside the deployed parts affect nothing', () => {
    expect(
      names([
        '.github/workflows/ci.yml',
        'actions/promote/src/main.ts',
        'scripts/toolchain/install.mjs',
        'package.json',
        'environments/tests/environments.test.ts',
      ]),
    ).toEqual([]);
  });

  it('a folder that is not a known environment affects nothing', () => {
    expect(impactOf('environments/qa/env.yaml', ENVIRONMENTS)).toEqual({ scope: 'none' });
  });

  it('a realistic feature PR: service code is planned everywhere but deploys through images', () => {
    const files = [
      'services/recommendation/src/model.ts',
      'services/recommendation/src/model.test.ts',
      'services/recommendation/README.md',
    ];
    expect(affectedEnvironments(files, ENVIRONMENTS)).toEqual([
      { name: 'dev', because: 'services/recommendation/src/model.ts', kinds: [] },
      { name: 'staging', because: 'services/recommendation/src/model.ts', kinds: [] },
      { name: 'prod', because: 'services/recommendation/src/model.ts', kinds: [] },
    ]);
  });

  it('a realistic promotion PR touches only the target release', () => {
    expect(names(['environments/staging/release.yaml'])).toEqual(['staging']);
  });
});
