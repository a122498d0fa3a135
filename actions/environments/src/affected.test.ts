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
        'package.json',
        'environments/tests/environments.test.ts',
      ]),
    ).toEqual([]);
  });

  it('a folder that is not a known environment affects nothing', () => {
    expect(impactOf('environments/qa/env.yaml', ENVIRONMENTS)).toEqual({ scope: 'none' });
  });

  it('a realistic feature PR: service code, its chart values and docs', () => {
    const files = [
      'services/recommendation/src/model.ts',
      'services/recommendation/src/model.test.ts',
      'services/recommendation/README.md',
    ];
    expect(affectedEnvironments(files, ENVIRONMENTS)).toEqual([
      { name: 'dev', because: 'services/recommendation/src/model.ts' },
      { name: 'staging', because: 'services/recommendation/src/model.ts' },
      { name: 'prod', because: 'services/recommendation/src/model.ts' },
    ]);
  });

  it('a realistic promotion PR touches only the target release', () => {
    expect(names(['environments/staging/release.yaml'])).toEqual(['staging']);
  });
});
