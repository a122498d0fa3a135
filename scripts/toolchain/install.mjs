#!/usr/bin/env node
// Installs the pinned external toolchain (scripts/toolchain/tools.json) into .tools/.
//
//   node scripts/toolchain/install.mjs            install what is missing or at another version
//   node scripts/toolchain/install.mjs --check    print pinned vs installed; exit 1 if any differs
//   node scripts/toolchain/install.mjs --only helm,kops
//
// Dependency-free on purpose: it runs before `npm ci` on a fresh clone. Go binaries are also
// kept in a per-user cache keyed by tool, version and build recipe, so a fresh clone on a
// machine that built them once copies them in seconds instead of compiling again.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const toolsDir = path.join(repoRoot, '.tools');
const binDir = path.join(toolsDir, 'bin');
const venvDir = path.join(toolsDir, 'venv');
const cacheDir =
  process.env.MOVIES_TOOLS_CACHE ??
  path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'movies-gitops-tools');

const manifest = JSON.parse(
  fs.readFileSync(path.join(repoRoot, 'scripts', 'toolchain', 'tools.json'), 'utf8'),
);

class ToolError extends Error {
  constructor(tool, command, detail) {
    super(`tool "${tool}" failed to install: \`${command}\`${detail ? `\n${detail}` : ''}`);
  }
}

function parseArgs(argv) {
  const args = { check: false, only: null };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--check') args.check = true;
    else if (arg === '--only') args.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (arg.startsWith('--only=')) args.only = arg.slice(7).split(',').filter(Boolean);
    else throw new Error(`unknown argument "${arg}" (expected --check or --only a,b)`);
  }
  return args;
}

const strip = (version) => version.replace(/^v/, '');

function expand(template, tool) {
  return template
    .replaceAll('{version}', tool.version)
    .replaceAll('{versionNoV}', strip(tool.version));
}

function toolBinary(tool) {
  return path.join(binDir, tool.name);
}

/** The version pip installed, from the venv's metadata (checkov takes a minute to start). */
function pipVersion(tool) {
  const lib = path.join(venvDir, 'lib');
  if (!fs.existsSync(lib)) return null;
  // "moto[server]" is installed as the distribution "moto".
  const distribution = tool.package.replace(/\[.*\]$/, '');
  const prefix = `${distribution.toLowerCase().replace(/[-.]+/g, '_')}-`;
  for (const python of fs.readdirSync(lib)) {
    const sitePackages = path.join(lib, python, 'site-packages');
    if (!fs.existsSync(sitePackages)) continue;
    for (const entry of fs.readdirSync(sitePackages)) {
      if (entry.toLowerCase().startsWith(prefix) && entry.endsWith('.dist-info')) {
        return entry.slice(prefix.length, -'.dist-info'.length);
      }
    }
  }
  return null;
}

/** Runs the tool's own version command and returns the first version number it prints. */
function installedVersion(tool) {
  const binary = toolBinary(tool);
  if (!fs.existsSync(binary)) return null;
  if (tool.via === 'pip') return pipVersion(tool);
  const result = spawnSync(binary, tool.versionArgs, { encoding: 'utf8', timeout: 60_000 });
  if (result.error || result.status !== 0) return null;
  const match = `${result.stdout}\n${result.stderr}`.match(/v?(\d+\.\d+(?:\.\d+)?)/);
  return match ? match[1] : 'unknown';
}

function isCurrent(tool) {
  const found = installedVersion(tool);
  if (found === null) return false;
  if (tool.via === 'go-build') {
    // Same version, other sources or patches: rebuild.
    const stamp = fs.existsSync(buildStamp(tool)) ? fs.readFileSync(buildStamp(tool), 'utf8') : '';
    if (stamp.trim() !== goBuildKey(tool)) return false;
  }
  return tool.version === undefined || strip(tool.version) === found;
}

function run(toolName, command, args, options = {}) {
  const printable = [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    const collect = (chunk) => {
      output += chunk;
      if (output.length > 20_000) output = output.slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => reject(new ToolError(toolName, printable, error.message)));
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else
        reject(new ToolError(toolName, printable, output.trim().split('\n').slice(-25).join('\n')));
    });
  });
}

function hashFiles(files, extra) {
  const hash = createHash('sha256').update(extra);
  for (const file of files) hash.update(file).update(fs.readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

function placeBinary(source, tool) {
  fs.mkdirSync(binDir, { recursive: true });
  const target = toolBinary(tool);
  fs.rmSync(target, { force: true });
  fs.copyFileSync(source, target);
  fs.chmodSync(target, 0o755);
}

async function installGo(tool) {
  const ldflags = tool.ldflags ? expand(tool.ldflags, tool) : '';
  const recipe = `${tool.package}@${tool.version} ${ldflags}`;
  const cached = path.join(cacheDir, 'go', `${tool.name}-${tool.version}-${hashFiles([], recipe)}`);
  const cachedBinary = path.join(cached, tool.name);
  if (!fs.existsSync(cachedBinary)) {
    // Built inside a throw-away module that requires the pinned version, rather than with
    // `go install pkg@version`: the latter also asks the proxy for the module's version list
    // (for deprecation notices), which the proxy refuses for some modules (k8s.io/kops).
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `tools-${tool.name}-`));
    const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod', GOWORK: 'off' };
    try {
      await run(tool.name, 'go', ['mod', 'init', `movies-tools/${tool.name}`], { cwd: work, env });
      await run(tool.name, 'go', ['mod', 'edit', `-require=${tool.module}@${tool.version}`], {
        cwd: work,
        env,
      });
      const args = ['build', '-trimpath'];
      if (ldflags) args.push(`-ldflags=${ldflags}`);
      args.push('-o', path.join(work, tool.name), tool.package);
      await run(tool.name, 'go', args, { cwd: work, env });
      fs.mkdirSync(cached, { recursive: true });
      fs.copyFileSync(path.join(work, tool.name), `${cachedBinary}.partial`);
      fs.renameSync(`${cachedBinary}.partial`, cachedBinary);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  placeBinary(cachedBinary, tool);
}

/** The inputs of a go-build tool (its folder's Go sources and its patches), as a short hash. */
function goBuildKey(tool) {
  const dir = path.join(repoRoot, tool.dir);
  const sources = fs
    .readdirSync(dir)
    .filter((file) => /\.(go|mod|sum)$/.test(file))
    .sort()
    .map((file) => path.join(dir, file));
  return hashFiles(sources, JSON.stringify(tool.patches ?? []));
}

/** Records which inputs the placed binary of a go-build tool was built from. */
const buildStamp = (tool) => `${toolBinary(tool)}.build`;

async function installGoBuild(tool) {
  const dir = path.join(repoRoot, tool.dir);
  const goMod = fs.readFileSync(path.join(dir, 'go.mod'), 'utf8');
  if (!goMod.includes(`${tool.module} ${tool.version}`)) {
    throw new ToolError(
      tool.name,
      `check ${tool.dir}/go.mod`,
      `go.mod must require ${tool.module} ${tool.version} (the version pinned in tools.json)`,
    );
  }
  const patches = tool.patches ?? [];
  const key = goBuildKey(tool);
  const cached = path.join(cacheDir, 'go', `${tool.name}-${tool.version}-${key}`);
  const cachedBinary = path.join(cached, tool.name);
  if (!fs.existsSync(cachedBinary)) {
    fs.mkdirSync(cached, { recursive: true });
    const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `${tool.name}-patched-`));
    try {
      const patched = await patchedModuleFlags(tool, patches, dir, env, work);
      await run(
        tool.name,
        'go',
        ['build', '-trimpath', ...patched, '-o', `${cachedBinary}.partial`, '.'],
        { cwd: dir, env },
      );
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
    fs.renameSync(`${cachedBinary}.partial`, cachedBinary);
  }
  placeBinary(cachedBinary, tool);
  fs.writeFileSync(buildStamp(tool), `${key}\n`);
}

/**
 * A tool's `patches` (tools.json): exact text replacements in files of its module. The module is
 * copied out of the module cache into `work`, patched there and used through a `replace`
 * directive in a copy of the go.mod (`-modfile`), so neither the cache nor the repo changes. A
 * patch whose text is not found exactly once fails the install: an upgrade must re-check it.
 */
async function patchedModuleFlags(tool, patches, dir, env, work) {
  if (patches.length === 0) return [];
  await run(tool.name, 'go', ['mod', 'download', tool.module], { cwd: dir, env });
  const moduleDir = (
    await run(tool.name, 'go', ['list', '-m', '-f', '{{.Dir}}', tool.module], { cwd: dir, env })
  ).trim();
  const copy = path.join(work, 'module');
  fs.cpSync(moduleDir, copy, { recursive: true });
  for (const patch of patches) {
    const file = path.join(copy, patch.file);
    const text = fs.readFileSync(file, 'utf8');
    const found = text.split(patch.replace).length - 1;
    if (found !== 1) {
      throw new ToolError(
        tool.name,
        `patch ${patch.file}`,
        `expected the text ${JSON.stringify(patch.replace)} once in ${tool.module}@${tool.version}/${patch.file}, found it ${found} times`,
      );
    }
    fs.chmodSync(file, 0o644); // the module cache's files are read-only
    fs.writeFileSync(file, text.replace(patch.replace, patch.with));
  }
  const goMod = path.join(work, 'go.mod');
  fs.writeFileSync(
    goMod,
    `${fs.readFileSync(path.join(dir, 'go.mod'), 'utf8')}\nreplace ${tool.module} => ${copy}\n`,
  );
  fs.copyFileSync(path.join(dir, 'go.sum'), path.join(work, 'go.sum'));
  return [`-modfile=${goMod}`];
}

async function installPip(tools) {
  const python = path.join(venvDir, 'bin', 'python');
  if (!fs.existsSync(python)) {
    const base = process.env.PYTHON ?? 'python3';
    await run(tools[0].name, base, ['-m', 'venv', venvDir]);
  }
  const specs = tools.map((tool) => `${tool.package}==${tool.version}`);
  try {
    await run(tools[0].name, python, [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '-q',
      ...specs,
    ]);
  } catch {
    // Install one by one so the error names the tool that failed.
    for (const tool of tools) {
      await run(tool.name, python, [
        '-m',
        'pip',
        'install',
        '--disable-pip-version-check',
        '-q',
        `${tool.package}==${tool.version}`,
      ]);
    }
  }
  fs.mkdirSync(binDir, { recursive: true });
  for (const tool of tools) {
    const target = toolBinary(tool);
    fs.rmSync(target, { force: true });
    fs.symlinkSync(path.join('..', 'venv', 'bin', tool.name), target);
  }
}

async function installApt(tools) {
  const missing = tools.filter((tool) => !fs.existsSync(tool.binary));
  if (missing.length > 0) {
    const asRoot = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
    const [cmd, ...pre] = asRoot.length ? asRoot : ['apt-get'];
    const aptArgs = (args) => (asRoot.length ? [...pre, 'apt-get', ...args] : args);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run(missing[0].name, cmd, aptArgs(['update', '-q']), { env });
    for (const tool of missing) {
      await run(
        tool.name,
        cmd,
        aptArgs(['install', '-y', '-q', '--no-install-recommends', tool.package]),
        { env },
      );
    }
  }
  fs.mkdirSync(binDir, { recursive: true });
  for (const tool of tools) {
    const target = toolBinary(tool);
    fs.rmSync(target, { force: true });
    fs.symlinkSync(tool.binary, target);
  }
}

/** A directory lock so two installs (two terminals, parallel test runs) never race. */
async function withLock(fn) {
  fs.mkdirSync(toolsDir, { recursive: true });
  const lock = path.join(toolsDir, '.install-lock');
  const deadline = Date.now() + 60 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const owner = Number(
        fs.readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }),
      );
      let alive;
      try {
        if (owner) process.kill(owner, 0);
        alive = Boolean(owner);
      } catch {
        alive = false;
      }
      if (!alive) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${lock} (pid ${owner})`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function printCheck(tools) {
  const rows = tools.map((tool) => {
    const found = installedVersion(tool);
    const pinned = tool.version ?? '(debian)';
    const ok = found !== null && (tool.version === undefined || strip(tool.version) === found);
    return { name: tool.name, pinned, found: found ?? 'missing', status: ok ? 'ok' : 'MISSING' };
  });
  const width = (key) => Math.max(key.length, ...rows.map((row) => row[key].length));
  const line = (row) =>
    ['name', 'pinned', 'found', 'status']
      .map((key) => row[key].padEnd(width(key)))
      .join('  ')
      .trimEnd();
  console.log(line({ name: 'tool', pinned: 'pinned', found: 'installed', status: 'status' }));
  for (const row of rows) console.log(line(row));
  return rows.every((row) => row.status === 'ok');
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const unknown = (args.only ?? []).filter((name) => !manifest.tools.some((t) => t.name === name));
  if (unknown.length) throw new Error(`unknown tool(s): ${unknown.join(', ')}`);
  const selected = manifest.tools.filter((tool) => !args.only || args.only.includes(tool.name));

  if (args.check) {
    process.exitCode = printCheck(selected) ? 0 : 1;
    return;
  }

  await withLock(async () => {
    const todo = selected.filter((tool) => !isCurrent(tool));
    if (todo.length === 0) {
      console.log(`toolchain: all ${selected.length} tools present at their pinned versions`);
      return;
    }
    const started = Date.now();
    console.log(`toolchain: installing ${todo.map((t) => t.name).join(', ')} into .tools/`);
    const step = async (label, fn) => {
      const t0 = Date.now();
      await fn();
      console.log(`toolchain: ${label} ready (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
    };
    const goChain = (async () => {
      for (const tool of todo.filter((t) => t.via === 'go' || t.via === 'go-build')) {
        await step(tool.name, () => (tool.via === 'go' ? installGo(tool) : installGoBuild(tool)));
      }
    })();
    const pipTools = todo.filter((t) => t.via === 'pip');
    const aptTools = todo.filter((t) => t.via === 'apt');
    const others = (async () => {
      if (aptTools.length)
        await step(aptTools.map((t) => t.name).join(', '), () => installApt(aptTools));
      if (pipTools.length)
        await step(pipTools.map((t) => t.name).join(', '), () => installPip(pipTools));
    })();
    const results = await Promise.allSettled([goChain, others]);
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;

    const wrong = todo.filter((tool) => !isCurrent(tool));
    if (wrong.length) {
      throw new Error(
        wrong
          .map(
            (tool) =>
              `tool "${tool.name}": installed, but \`${tool.name} ${tool.versionArgs.join(' ')}\` does not report ${tool.version ?? 'a version'} (found ${installedVersion(tool) ?? 'nothing'})`,
          )
          .join('\n'),
      );
    }
    console.log(`toolchain: done in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  });
}

main().catch((error) => {
  console.error(`toolchain: ${error.message}`);
  process.exit(1);
});
