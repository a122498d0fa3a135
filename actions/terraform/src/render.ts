import { attributeChanges, SENSITIVE, UNKNOWN } from './attributes';
import {
  actionKind,
  countChanges,
  destructiveChanges,
  hasChanges,
  type PlanChange,
  type PlanDocument,
  type ResourceChange,
} from './plan';

const SYMBOL: Record<string, string> = {
  create: '+',
  update: '~',
  delete: '-',
  replace: '-/+',
  read: '<=',
  'no-op': ' ',
};
const VERB: Record<string, string> = {
  create: 'will be created',
  update: 'will be updated in-place',
  delete: 'will be destroyed',
  replace: 'must be replaced',
  read: 'will be read during apply',
};

export function hashMarker(hash: string): string {
  return `<!-- plan-hash:${hash} -->`;
}

function forcedBy(resource: ResourceChange): string {
  const paths = resource.change.replace_paths ?? [];
  if (paths.length === 0) return '';
  return ` (forced by ${paths.map((p) => `\`${p.join('.')}\``).join(', ')})`;
}

function resourceBlock(resource: ResourceChange): string {
  const kind = actionKind(resource.change.actions);
  const lines = [
    `${SYMBOL[kind]} ${resource.address} ${VERB[kind]}${kind === 'replace' ? forcedBy(resource).replace(/`/g, '') : ''}`,
  ];
  if (kind !== 'delete') {
    for (const attribute of attributeChanges(resource.change)) {
      const sign = attribute.before === undefined ? '+' : attribute.after === undefined ? '-' : '~';
      const value =
        attribute.before === undefined
          ? attribute.after
          : attribute.after === undefined
            ? attribute.before
            : `${attribute.before} -> ${attribute.after}`;
      lines.push(`${sign}     ${attribute.path} = ${value}`);
    }
  }
  return lines.join('\n');
}

function outputValue(change: PlanChange, side: 'before' | 'after'): string {
  if (side === 'after' && change.after_unknown === true) return UNKNOWN;
  if ((side === 'before' ? change.before_sensitive : change.after_sensitive) === true)
    return SENSITIVE;
  const value = side === 'before' ? change.before : change.after;
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}

export interface PlanReport {
  environment: string;
  command: string;
  plan: PlanDocument;
  hash: string;
  /** On a pull request: the head commit planned and the base it was merged onto. */
  planned?: { head: string; base: string };
}

/** The markdown for the PR comment section and the job summary (the comment may be cut, the summary is whole). */
export function renderPlan({ environment, command, plan, hash, planned }: PlanReport): string {
  const counts = countChanges(plan);
  const destroy = command === 'destroy-plan' || command === 'destroy';
  const parts = [
    `### Terraform ${destroy ? 'destroy plan' : 'plan'} for \`${environment}\``,
    hashMarker(hash),
  ];
  if (planned?.head)
    parts.push(
      `Planned commit \`${planned.head.slice(0, 12)}\`${planned.base ? ` merged onto base \`${planned.base.slice(0, 12)}\`` : ''}.`,
    );
  const destructive = destructiveChanges(plan);
  if (destructive.length > 0) {
    parts.push(
      [
        '> [!CAUTION]',
        `> **This plan destroys or replaces ${destructive.length} resource${destructive.length === 1 ? '' : 's'}:**`,
        ...destructive.map(
          (r) =>
            `> - ${actionKind(r.change.actions) === 'replace' ? 'replace' : 'destroy'} \`${r.address}\`${forcedBy(r)}`,
        ),
      ].join('\n'),
    );
  }
  parts.push(
    hasChanges(counts)
      ? `**Plan: ${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy**` +
          `${counts.replace > 0 ? ` (${counts.replace} replacement${counts.replace === 1 ? '' : 's'})` : ''}` +
          `${counts.outputs > 0 ? ` · ${counts.outputs} output change${counts.outputs === 1 ? '' : 's'}` : ''}`
      : '**No changes.** The infrastructure matches the configuration.',
  );
  parts.push(
    `Plan hash \`${hash}\` (terraform ${plan.terraform_version ?? 'unknown'}): apply runs only a fresh plan with this hash.`,
  );
  const changed = (plan.resource_changes ?? []).filter(
    (r) => !['no-op', 'read'].includes(actionKind(r.change.actions)),
  );
  if (changed.length > 0) {
    parts.push(
      `<details${destructive.length > 0 ? ' open' : ''}><summary>Resource changes (${changed.length})</summary>\n\n\`\`\`diff\n${changed
        .map(resourceBlock)
        .join('\n\n')}\n\`\`\`\n</details>`,
    );
  }
  const outputs = Object.entries(plan.output_changes ?? {}).filter(
    ([, change]) => actionKind(change.actions) !== 'no-op',
  );
  if (outputs.length > 0) {
    parts.push(
      `<details><summary>Output changes (${outputs.length})</summary>\n\n\`\`\`diff\n${outputs
        .map(([name, change]) => {
          const kind = actionKind(change.actions);
          if (kind === 'create') return `+ ${name} = ${outputValue(change, 'after')}`;
          if (kind === 'delete') return `- ${name} = ${outputValue(change, 'before')}`;
          return `~ ${name} = ${outputValue(change, 'before')} -> ${outputValue(change, 'after')}`;
        })
        .join('\n')}\n\`\`\`\n</details>`,
    );
  }
  return parts.join('\n\n');
}
