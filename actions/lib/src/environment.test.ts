import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError, loadEnvironments } from './environment';
import { createEnvironmentWorkspace, environmentConfig } from './testing/environment-workspace';

describe('loadEnvironments: one AWS account for every environment', () => {
  it('loads the shipped environments, which name one account', () => {
    const root = path.resolve(__dirname, '..', '..', '..');
    const accounts = new Set(loadEnvironments(root).map((e) => e.env.aws.account_id));
    expect(accounts.size).toBe(1);
  });

  it('refuses an environment in another account, naming both files', () => {
    const workspace = createEnvironmentWorkspace();
    try {
      for (const name of ['dev', 'staging', 'prod'])
        workspace.write(name, { env: environmentConfig(name) });
      const staging = environmentConfig('staging');
      workspace.write('staging', {
        env: { ...staging, aws: { ...staging.aws, account_id: '222222222222' } },
      });
      let thrown: unknown;
      try {
        loadEnvironments(workspace.root);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(EnvironmentError);
      expect((thrown as EnvironmentError).errors).toEqual([
        'environments/staging/env.yaml: /aws/account_id must be the one AWS account of every environment, "111111111111" as in environments/dev/env.yaml (got "222222222222")',
      ]);
      expect(fs.existsSync(path.join(workspace.root, 'environments/prod/env.yaml'))).toBe(true);
    } finally {
      workspace.remove();
    }
  });
});
