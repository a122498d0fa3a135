import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import {
  diffStats,
  loadEnvironment,
  unifiedDiff,
  publishSection,
  workspaceRoot,
  writeSummary,
  type EnvConfig,
} from '@movies/actions-lib';
import { readInputs, type KopsInputs } from './inputs';
import { Kops } from './kops';
import { renderCluster, toManifestYaml, type RenderedCluster } from './manifest';
import { canonicalManifest, objectNames } from './normalize';
import { readTerraformOutputs } from './terraformOutputs';

export async function run(): Promise<void> {
  const inputs = readInputs();
  const { env } = loadEnvironment(workspaceRoot(), inputs.environment);
  switch (inputs.command) {
    case 'render':
      render(inputs, env);
      return;
    case 'diff':
      await diff(inputs, env);
      return;
    case 'apply':
      await apply(inputs, env);
      return;
    case 'validate':
      await validate(inputs, env);
      return;
    case 'export-kubeconfig':
      await exportKubeconfig(inputs, env);
      return;
    case 'delete':
      await deleteCluster(inputs, env);
      return;
  }
}

interface Rendered {
  rendered: RenderedCluster;
  manifestPath: string;
  yaml: string;
  stateStore: string;
}

function requireOutputsFile(inputs: KopsInputs): string {
  if (!inputs.terraformOutputs) {
    throw new Error(
      `input terraform-outputs is required for "${inputs.command}": the JSON file from \`terraform output -json\` of terraform/environment`,
    );
  }
  return inputs.terraformOutputs;
}

function render(inputs: KopsInputs, env: EnvConfig): Rendered {
  // The state-store input moves the cluster's configBase with it.
  const outputs = {
    ...readTerraformOutputs(requireOutputsFile(inputs)),
    ...(inputs.stateStore ? { kopsStateStore: inputs.stateStore } : {}),
  };
  const rendered = renderCluster(env, outputs);
  const yaml = toManifestYaml(rendered);
  fs.mkdirSync(inputs.outputDir, { recursive: true });
  const manifestPath = path.join(inputs.outputDir, `${env.cluster.name}.yaml`);
  fs.writeFileSync(manifestPath, yaml);
  core.setOutput('manifest-path', manifestPath);
  core.info(`rendered ${rendered.instanceGroups.length + 1} kOps objects to ${manifestPath}`);
  if (inputs.command === 'render') {
    writeSummary(
      `## kOps manifest for \`${env.name}\`\n\n${describe(rendered)}\n\n<details><summary>${manifestPath}</summary>\n\n\`\`\`yaml\n${yaml}\`\`\`\n</details>\n`,
    );
  }
  return { rendered, manifestPath, yaml, stateStore: outputs.kopsStateStore };
}

function describe(rendered: RenderedCluster): string {
  const rows = rendered.instanceGroups.map(
    (ig) =>
      `| ${ig.metadata.name} | ${String(ig.spec.role)} | ${String(ig.spec.machineType)}${ig.spec.mixedInstancesPolicy ? ' (spot)' : ''} | ${String(ig.spec.minSize)}–${String(ig.spec.maxSize)} | ${(ig.spec.subnets as string[]).join(', ')} |`,
  );
  return [
    '| Instance group | Role | Type | Size | Subnets |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function kopsFor(inputs: KopsInputs, env: EnvConfig, stateStore: string): Kops {
  if (!stateStore) {
    throw new Error(
      'no state store: set input state-store or terraform-outputs (output kops_state_store)',
    );
  }
  return new Kops({ kops: inputs.kops, clusterName: env.cluster.name, stateStore });
}

function stateStoreOf(inputs: KopsInputs): string {
  if (inputs.stateStore) return inputs.stateStore;
  return readTerraformOutputs(requireOutputsFile(inputs)).kopsStateStore;
}

interface ClusterChange {
  exists: boolean;
  diff: string;
  /** Instance groups in the state store that the render no longer has. */
  removedGroups: string[];
}

async function changeAgainstState(kops: Kops, rendered: Rendered): Promise<ClusterChange> {
  const stored = await kops.stored();
  const renderedCidrs = new Set(
    (rendered.rendered.cluster.spec.subnets as Array<{ name: string; cidr?: string }>)
      .filter((s) => s.cidr)
      .map((s) => s.name),
  );
  const storedYaml =
    stored === null ? '' : canonicalManifest(stored, { keepSubnetCidrs: renderedCidrs });
  const diff = unifiedDiff(storedYaml, canonicalManifest(rendered.yaml), {
    fromLabel: `state store (${rendered.stateStore})`,
    toLabel: 'rendered',
  });
  const renderedNames = new Set(rendered.rendered.instanceGroups.map((ig) => ig.metadata.name));
  const removedGroups =
    stored === null
      ? []
      : objectNames(stored)
          .filter((name) => name.startsWith('InstanceGroup/'))
          .map((name) => name.slice('InstanceGroup/'.length))
          .filter((name) => !renderedNames.has(name));
  return { exists: stored !== null, diff, removedGroups };
}

function changeMarkdown(env: EnvConfig, change: ClusterChange): string {
  const { added, removed } = diffStats(change.diff);
  const headline = !change.exists
    ? `Cluster \`${env.cluster.name}\` does not exist yet: it will be **created**.`
    : change.diff === ''
      ? `No changes to cluster \`${env.cluster.name}\`.`
      : `Cluster \`${env.cluster.name}\` spec changes: **+${added} −${removed}** lines.`;
  const removals = change.removedGroups.length
    ? `\n\n:warning: **Instance groups to delete:** ${change.removedGroups.map((n) => `\`${n}\``).join(', ')}`
    : '';
  const body = change.diff
    ? `\n\n<details><summary>kOps spec diff</summary>\n\n\`\`\`diff\n${change.diff}\`\`\`\n</details>`
    : '';
  return `### kOps\n\n${headline}${removals}${body}\n`;
}

async function diff(inputs: KopsInputs, env: EnvConfig): Promise<void> {
  const rendered = render(inputs, env);
  const change = await changeAgainstState(kopsFor(inputs, env, rendered.stateStore), rendered);
  core.info(change.diff || 'no changes');
  core.setOutput(
    'has-changes',
    String(!change.exists || change.diff !== '' || change.removedGroups.length > 0),
  );
  const markdown = changeMarkdown(env, change);
  await publishSection({ environment: env.name, section: 'kops', markdown });
}

async function apply(inputs: KopsInputs, env: EnvConfig): Promise<void> {
  const rendered = render(inputs, env);
  const kops = kopsFor(inputs, env, rendered.stateStore);
  const change = await changeAgainstState(kops, rendered);
  core.startGroup('What will change');
  core.info(change.diff || 'no changes to the cluster spec');
  if (change.removedGroups.length)
    core.info(`instance groups to delete: ${change.removedGroups.join(', ')}`);
  core.endGroup();
  writeSummary(changeMarkdown(env, change));

  if (change.exists) await kops.replace(rendered.manifestPath);
  else await kops.create(rendered.manifestPath);
  // spec.encryptionConfig needs its key before the first update; it is never replaced here.
  if (await kops.ensureEncryptionConfig(inputs.outputDir))
    core.info('created the etcd encryption key (secret encryptionconfig in the state store)');
  for (const group of change.removedGroups) await kops.deleteInstanceGroup(group);

  core.startGroup('Cloud changes (preview)');
  await kops.update(false);
  core.endGroup();
  await kops.update(true);

  if (change.exists) {
    // New instances come from the updated launch templates; replace the old ones node by node.
    const kubeconfig = path.join(
      fs.mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'kops-')),
      'kubeconfig',
    );
    await kops.exportKubeconfig(kubeconfig, inputs.adminTtl);
    await kops.rollingUpdate(kubeconfig);
  }
  core.setOutput(
    'has-changes',
    String(!change.exists || change.diff !== '' || change.removedGroups.length > 0),
  );
  writeSummary(
    `Applied to \`${env.cluster.name}\`${change.exists ? ' (rolling update done)' : ' (created)'}.\n`,
  );
}

async function validate(inputs: KopsInputs, env: EnvConfig): Promise<void> {
  const kops = kopsFor(inputs, env, stateStoreOf(inputs));
  await kops.exportKubeconfig(inputs.kubeconfig, inputs.adminTtl);
  await kops.validate(inputs.kubeconfig, inputs.validateTimeout);
  writeSummary(
    `## kOps\n\nCluster \`${env.cluster.name}\` is valid (waited up to ${inputs.validateTimeout}).\n`,
  );
}

async function exportKubeconfig(inputs: KopsInputs, env: EnvConfig): Promise<void> {
  const kops = kopsFor(inputs, env, stateStoreOf(inputs));
  fs.mkdirSync(path.dirname(inputs.kubeconfig), { recursive: true });
  await kops.exportKubeconfig(inputs.kubeconfig, inputs.adminTtl);
  core.setOutput('kubeconfig', inputs.kubeconfig);
}

async function deleteCluster(inputs: KopsInputs, env: EnvConfig): Promise<void> {
  if (inputs.confirmDelete !== env.cluster.name) {
    throw new Error(
      `input confirm-delete must equal the cluster name "${env.cluster.name}" to delete it (got ${JSON.stringify(inputs.confirmDelete)})`,
    );
  }
  const kops = kopsFor(inputs, env, stateStoreOf(inputs));
  await kops.deleteCluster();
  writeSummary(`## kOps\n\nCluster \`${env.cluster.name}\` **deleted**.\n`);
}
