// Loads a Terraform directory with a real HCL parser (@cdktf/hcl2json) and checks how roots and
// modules are wired together: the mistakes `terraform validate` would catch if providers could be
// downloaded here (unknown module arguments, missing required variables, references to outputs
// or variables that do not exist).
import fs from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';

export interface Variable {
  name: string;
  type?: string;
  description?: string;
  hasDefault: boolean;
  validations: { condition: string; errorMessage: string }[];
}

export interface Output {
  name: string;
  description?: string;
  value: unknown;
}

export interface ModuleCall {
  name: string;
  source: string;
  args: Record<string, unknown>;
}

export interface TerraformDir {
  dir: string;
  variables: Map<string, Variable>;
  outputs: Map<string, Output>;
  locals: Set<string>;
  moduleCalls: Map<string, ModuleCall>;
  backends: { type: string; config: Record<string, unknown> }[];
  requiredVersion?: string;
  requiredProviders: Record<string, { source?: string; version?: string }>;
  /** Every parsed top-level block, for reference scanning. */
  raw: Record<string, unknown>[];
}

/** Arguments of a module block that are Terraform meta-arguments, not module variables. */
const META_ARGUMENTS = new Set([
  'source',
  'version',
  'count',
  'for_each',
  'depends_on',
  'providers',
]);

type Json = Record<string, unknown>;

function asArray<T>(value: unknown): T[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

/** Strips the `${ … }` hcl2json wraps around expressions; plain literals are returned unchanged. */
export function expressionText(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  const match = /^\$\{([\s\S]*)\}$/.exec(value);
  return match ? match[1]!.trim() : value;
}

export async function loadTerraformDir(dir: string): Promise<TerraformDir> {
  const files = fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.tf'))
    .sort();
  if (files.length === 0) throw new Error(`${dir}: no .tf files`);

  const result: TerraformDir = {
    dir,
    variables: new Map(),
    outputs: new Map(),
    locals: new Set(),
    moduleCalls: new Map(),
    backends: [],
    requiredProviders: {},
    raw: [],
  };

  for (const file of files) {
    const filePath = path.join(dir, file);
    let parsed: Json;
    try {
      parsed = (await parse(filePath, fs.readFileSync(filePath, 'utf8'))) as Json;
    } catch (error) {
      throw new Error(`${filePath}: HCL parse error: ${String(error)}`, { cause: error });
    }
    result.raw.push(parsed);

    for (const [name, blocks] of Object.entries((parsed.variable ?? {}) as Json)) {
      const block = asArray<Json>(blocks)[0] ?? {};
      result.variables.set(name, {
        name,
        type: typeof block.type === 'string' ? expressionText(block.type) : undefined,
        description: typeof block.description === 'string' ? block.description : undefined,
        hasDefault: Object.prototype.hasOwnProperty.call(block, 'default'),
        validations: asArray<Json>(block.validation).map((validation) => ({
          condition: expressionText(validation.condition),
          errorMessage: String(validation.error_message ?? ''),
        })),
      });
    }

    for (const [name, blocks] of Object.entries((parsed.output ?? {}) as Json)) {
      const block = asArray<Json>(blocks)[0] ?? {};
      result.outputs.set(name, {
        name,
        description: typeof block.description === 'string' ? block.description : undefined,
        value: block.value,
      });
    }

    for (const localsBlock of asArray<Json>(parsed.locals)) {
      for (const name of Object.keys(localsBlock)) result.locals.add(name);
    }

    for (const [name, blocks] of Object.entries((parsed.module ?? {}) as Json)) {
      const block = asArray<Json>(blocks)[0] ?? {};
      const args: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(block)) {
        if (!META_ARGUMENTS.has(key)) args[key] = value;
      }
      result.moduleCalls.set(name, { name, source: String(block.source ?? ''), args });
    }

    for (const terraformBlock of asArray<Json>(parsed.terraform)) {
      if (typeof terraformBlock.required_version === 'string') {
        result.requiredVersion = terraformBlock.required_version;
      }
      for (const providers of asArray<Json>(terraformBlock.required_providers)) {
        for (const [name, spec] of Object.entries(providers)) {
          result.requiredProviders[name] = spec as { source?: string; version?: string };
        }
      }
      for (const [type, configs] of Object.entries((terraformBlock.backend ?? {}) as Json)) {
        result.backends.push({ type, config: asArray<Json>(configs)[0] ?? {} });
      }
    }
  }
  return result;
}

/** Every string found anywhere in a parsed value (expressions are strings in hcl2json output). */
function collectStrings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) value.forEach((item) => collectStrings(item, into));
  else if (value && typeof value === 'object')
    Object.values(value).forEach((item) => collectStrings(item, into));
  return into;
}

/** Expression strings with quoted string literals removed, so `"var.x"` inside text is not a reference. */
function referenceText(config: TerraformDir): string {
  return collectStrings(config.raw)
    .filter((text) => text.includes('${'))
    .join('\n');
}

export function referencedModuleOutputs(
  config: TerraformDir,
): { module: string; output: string }[] {
  const references: { module: string; output: string }[] = [];
  const pattern = /\bmodule\.([A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.([A-Za-z_][A-Za-z0-9_]*)/g;
  for (const match of referenceText(config).matchAll(pattern)) {
    references.push({ module: match[1]!, output: match[2]! });
  }
  return references;
}

function referencedNames(config: TerraformDir, prefix: 'var' | 'local'): Set<string> {
  const names = new Set<string>();
  const pattern = new RegExp(`(?<![A-Za-z0-9_.])${prefix}\\.([A-Za-z_][A-Za-z0-9_-]*)`, 'g');
  for (const match of referenceText(config).matchAll(pattern)) names.add(match[1]!);
  return names;
}

/** A problem found by checkWiring, with the directory (and module call) it is in. */
export interface WiringIssue {
  dir: string;
  message: string;
}

/**
 * Checks one directory and, recursively, every local module it calls. Returns the problems found;
 * an empty list means the wiring is consistent.
 */
export async function checkWiring(
  dir: string,
  seen = new Map<string, TerraformDir>(),
): Promise<WiringIssue[]> {
  const issues: WiringIssue[] = [];
  const config = seen.get(dir) ?? (await loadTerraformDir(dir));
  seen.set(dir, config);
  const issue = (message: string) => issues.push({ dir, message });

  for (const variable of config.variables.values()) {
    if (!variable.type) issue(`variable "${variable.name}" has no type`);
    if (!variable.description?.trim()) issue(`variable "${variable.name}" has no description`);
    for (const validation of variable.validations) {
      if (!/\bvar\./.test(validation.condition))
        issue(`variable "${variable.name}" has a validation that does not test it`);
      if (!validation.errorMessage.trim())
        issue(`variable "${variable.name}" has a validation without error_message`);
    }
  }
  for (const output of config.outputs.values()) {
    if (!output.description?.trim()) issue(`output "${output.name}" has no description`);
  }
  for (const name of referencedNames(config, 'var')) {
    if (!config.variables.has(name))
      issue(`var.${name} is referenced but no variable "${name}" is declared`);
  }
  for (const name of referencedNames(config, 'local')) {
    if (!config.locals.has(name))
      issue(`local.${name} is referenced but not defined in a locals block`);
  }

  const callees = new Map<string, TerraformDir>();
  for (const call of config.moduleCalls.values()) {
    if (!call.source.startsWith('./') && !call.source.startsWith('../')) {
      issue(
        `module "${call.name}" has a non-local source "${call.source}" (only local modules are used here)`,
      );
      continue;
    }
    const calleeDir = path.resolve(dir, call.source);
    if (!fs.existsSync(calleeDir)) {
      issue(`module "${call.name}": source ${call.source} does not exist`);
      continue;
    }
    const callee = seen.get(calleeDir) ?? (await loadTerraformDir(calleeDir));
    seen.set(calleeDir, callee);
    callees.set(call.name, callee);

    for (const arg of Object.keys(call.args)) {
      if (!callee.variables.has(arg)) {
        issue(
          `module "${call.name}" passes "${arg}", which ${call.source} does not declare as a variable`,
        );
      }
    }
    for (const variable of callee.variables.values()) {
      if (!variable.hasDefault && !(variable.name in call.args)) {
        issue(
          `module "${call.name}" does not pass required variable "${variable.name}" of ${call.source}`,
        );
      }
    }
    for (const nested of await checkWiring(calleeDir, seen)) issues.push(nested);
  }

  for (const reference of referencedModuleOutputs(config)) {
    const callee = callees.get(reference.module);
    if (!config.moduleCalls.has(reference.module)) {
      issue(
        `module.${reference.module}.${reference.output} references an undeclared module "${reference.module}"`,
      );
    } else if (callee && !callee.outputs.has(reference.output)) {
      issue(
        `module.${reference.module}.${reference.output}: ${config.moduleCalls.get(reference.module)!.source} has no output "${reference.output}"`,
      );
    }
  }
  return dedupe(issues);
}

function dedupe(issues: WiringIssue[]): WiringIssue[] {
  const seen = new Set<string>();
  return issues.filter((item) => {
    const key = `${item.dir}\n${item.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
