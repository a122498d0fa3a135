// Renders the inputs/outputs tables of a root or module README (terraform-docs layout) from the
// parsed configuration, so the README cannot drift from variables.tf and outputs.tf.
import { loadTerraformDir, type Variable } from './config';

export const DOCS_BEGIN = '<!-- BEGIN_TF_DOCS -->';
export const DOCS_END = '<!-- END_TF_DOCS -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function renderDefault(variable: Variable, defaultValue: unknown): string {
  if (!variable.hasDefault) return 'n/a';
  return `\`${JSON.stringify(defaultValue)}\``;
}

export async function renderDocs(dir: string): Promise<string> {
  const config = await loadTerraformDir(dir);
  const defaults = new Map<string, unknown>();
  for (const raw of config.raw) {
    for (const [name, blocks] of Object.entries(
      (raw.variable ?? {}) as Record<string, Record<string, unknown>[]>,
    )) {
      defaults.set(name, blocks[0]?.default);
    }
  }
  const variables = [...config.variables.values()].sort(
    (a, b) => Number(a.hasDefault) - Number(b.hasDefault) || a.name.localeCompare(b.name),
  );
  const lines = [DOCS_BEGIN, '## Inputs', ''];
  if (variables.length === 0) lines.push('No inputs.');
  else {
    lines.push(
      '| Name | Description | Type | Default | Required |',
      '|------|-------------|------|---------|:--------:|',
    );
    for (const variable of variables) {
      lines.push(
        `| <a name="input_${variable.name}"></a> [${variable.name}](#input_${variable.name}) | ${cell(variable.description ?? '')} | \`${cell(variable.type ?? 'any')}\` | ${cell(renderDefault(variable, defaults.get(variable.name)))} | ${variable.hasDefault ? 'no' : 'yes'} |`,
      );
    }
  }
  lines.push('', '## Outputs', '');
  const outputs = [...config.outputs.values()].sort((a, b) => a.name.localeCompare(b.name));
  if (outputs.length === 0) lines.push('No outputs.');
  else {
    lines.push('| Name | Description |', '|------|-------------|');
    for (const output of outputs) {
      lines.push(
        `| <a name="output_${output.name}"></a> [${output.name}](#output_${output.name}) | ${cell(output.description ?? '')} |`,
      );
    }
  }
  lines.push(DOCS_END);
  return lines.join('\n');
}

/** The README with its generated section replaced by `docs`; throws when the markers are missing. */
export function withDocs(readme: string, docs: string, file: string): string {
  const begin = readme.indexOf(DOCS_BEGIN);
  const end = readme.indexOf(DOCS_END);
  if (begin < 0 || end < begin)
    throw new Error(`${file}: missing ${DOCS_BEGIN} … ${DOCS_END} markers`);
  return readme.slice(0, begin) + docs + readme.slice(end + DOCS_END.length);
}
