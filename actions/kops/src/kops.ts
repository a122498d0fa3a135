import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CliError, runCli, type CliResult } from '@movies/actions-lib';

/** Where and how to call kOps for one cluster. */
export interface KopsTarget {
  /** The kops executable (`kops` on PATH by default). */
  kops: string;
  clusterName: string;
  /** `s3://bucket` (or `file://…` in tests); passed as `--state` and KOPS_STATE_STORE. */
  stateStore: string;
  /** Extra environment for every call (tests keep kOps off the network with it). */
  env?: NodeJS.ProcessEnv;
}

export class Kops {
  constructor(readonly target: KopsTarget) {}

  run(
    args: string[],
    options: { silent?: boolean; okExitCodes?: number[]; env?: NodeJS.ProcessEnv } = {},
  ): Promise<CliResult> {
    return runCli(this.target.kops, [...args, '--state', this.target.stateStore], {
      silent: options.silent,
      okExitCodes: options.okExitCodes,
      env: { KOPS_STATE_STORE: this.target.stateStore, ...this.target.env, ...options.env },
    });
  }

  /**
   * The cluster and instance groups as stored in the state store, as YAML; null when the cluster
   * does not exist yet.
   */
  async stored(): Promise<string | null> {
    const name = this.target.clusterName;
    try {
      const cluster = await this.run(['get', 'cluster', '--name', name, '-o', 'yaml'], {
        silent: true,
      });
      const groups = await this.run(['get', 'instancegroups', '--name', name, '-o', 'yaml'], {
        silent: true,
        okExitCodes: [0, 1],
      });
      // A cluster without instance groups makes `kops get instancegroups` fail with "no InstanceGroup objects found".
      if (groups.exitCode !== 0 && !/no InstanceGroup objects found/i.test(groups.stderr)) {
        throw new CliError(
          `kops get instancegroups --name ${name}`,
          groups.exitCode,
          groups.stderr.trim(),
          groups.stdout,
          groups.stderr,
        );
      }
      const igYaml = groups.exitCode === 0 ? groups.stdout : '';
      return `${cluster.stdout.trimEnd()}\n---\n${igYaml}`;
    } catch (error) {
      if (
        error instanceof CliError &&
        /not found|does not exist|no such file/i.test(`${error.stderr}${error.stdout}`)
      ) {
        return null;
      }
      throw error;
    }
  }

  create(manifestPath: string): Promise<CliResult> {
    return this.run(['create', '-f', manifestPath]);
  }

  replace(manifestPath: string): Promise<CliResult> {
    return this.run(['replace', '-f', manifestPath, '--force']);
  }

  /**
   * Creates the cluster's etcd encryption configuration (secretbox with a fresh 32-byte key, then
   * identity so data written before encryption stays readable) unless it exists. The key lives in
   * the state store, which is encrypted with the environment's KMS key; returns whether it was
   * created.
   */
  async ensureEncryptionConfig(scratchDir: string): Promise<boolean> {
    const name = this.target.clusterName;
    fs.mkdirSync(scratchDir, { recursive: true });
    const dir = fs.mkdtempSync(path.join(scratchDir, 'encryption-'));
    const file = path.join(dir, 'encryptionconfig.yaml');
    try {
      fs.writeFileSync(file, encryptionConfiguration(randomBytes(32).toString('base64')), {
        mode: 0o600,
      });
      const result = await this.run(
        ['create', 'secret', 'encryptionconfig', '--name', name, '-f', file],
        { silent: true, okExitCodes: [0, 1] },
      );
      if (result.exitCode === 0) return true;
      if (/already exists/.test(`${result.stderr}${result.stdout}`)) return false;
      throw new CliError(
        `kops create secret encryptionconfig --name ${name}`,
        result.exitCode,
        result.stderr.trim(),
        result.stdout,
        result.stderr,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  deleteInstanceGroup(name: string): Promise<CliResult> {
    return this.run(['delete', 'instancegroup', name, '--name', this.target.clusterName, '--yes']);
  }

  /** Preview (without `yes`) or apply the cloud changes. */
  update(yes: boolean): Promise<CliResult> {
    return this.run([
      'update',
      'cluster',
      '--name',
      this.target.clusterName,
      ...(yes ? ['--yes'] : []),
    ]);
  }

  /** Replaces instances whose configuration changed, draining and validating as it goes. */
  rollingUpdate(kubeconfig: string): Promise<CliResult> {
    return this.run(['rolling-update', 'cluster', '--name', this.target.clusterName, '--yes'], {
      env: { KUBECONFIG: kubeconfig },
    });
  }

  exportKubeconfig(kubeconfig: string, adminTtl: string): Promise<CliResult> {
    return this.run([
      'export',
      'kubeconfig',
      '--name',
      this.target.clusterName,
      `--admin=${adminTtl}`,
      '--kubeconfig',
      kubeconfig,
    ]);
  }

  validate(kubeconfig: string, wait: string): Promise<CliResult> {
    return this.run([
      'validate',
      'cluster',
      '--name',
      this.target.clusterName,
      '--wait',
      wait,
      '--kubeconfig',
      kubeconfig,
    ]);
  }

  deleteCluster(): Promise<CliResult> {
    return this.run(['delete', 'cluster', '--name', this.target.clusterName, '--yes']);
  }
}

/** The API server's EncryptionConfiguration: Secrets encrypted with secretbox (XSalsa20-Poly1305). */
export function encryptionConfiguration(base64Key: string): string {
  return [
    'apiVersion: apiserver.config.k8s.io/v1',
    'kind: EncryptionConfiguration',
    'resources:',
    '  - resources: [secrets]',
    '    providers:',
    '      - secretbox:',
    '          keys:',
    `            - name: key1`,
    `              secret: ${base64Key}`,
    '      - identity: {}',
    '',
  ].join('\n');
}
