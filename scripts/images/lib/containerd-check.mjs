// Proves that the archives import into containerd under the digest images.json states: starts
// Debian's containerd on a private socket and root under .data/images/containerd (its CRI
// plugin off: nothing here runs containers), imports each archive into the k8s.io namespace
// as the cluster does, reads `ctr images ls`, and stops the daemon it started (by pid).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { run } from './run.mjs';
import { dataDir } from './paths.mjs';

const NAMESPACE = 'k8s.io';

function config(dir) {
  return `version = 2
root = "${dir}/root"
state = "${dir}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "${dir}/containerd.sock"

[ttrpc]
  address = "${dir}/containerd.sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "${dir}/opt"
`;
}

async function waitForSocket(ctr, daemon, logFile) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (daemon.exitCode !== null) {
      throw new Error(
        `containerd exited ${daemon.exitCode} at start:\n${fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-20).join('\n')}`,
      );
    }
    try {
      await ctr(['version']);
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`containerd did not answer in 30 s: ${error.message}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function stop(daemon) {
  if (daemon.exitCode !== null || daemon.signalCode !== null) return;
  const exited = new Promise((resolve) => daemon.once('exit', resolve));
  daemon.kill('SIGTERM');
  const timer = setTimeout(() => daemon.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Parses `ctr images ls` into { ref: digest }. */
export function parseImageList(text) {
  const images = {};
  for (const line of text.trim().split('\n').slice(1)) {
    const [ref, , digest] = line.trim().split(/\s+/);
    if (ref && digest) images[ref] = digest;
  }
  return images;
}

/**
 * `entries`: { name: { repository, tag, digest, archive } }. Resolves to one row per entry:
 * { name, ref, expected, imported } (imported: the digest containerd lists, or null).
 */
export async function verifyImport(entries, { dir = path.join(dataDir, 'containerd') } = {}) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'config.toml');
  fs.writeFileSync(configFile, config(dir));
  const logFile = path.join(dir, 'containerd.log');
  const log = fs.openSync(logFile, 'a');
  const daemon = spawn('containerd', ['--config', configFile], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const spawnError = new Promise((_, reject) => daemon.once('error', reject));
  const address = path.join(dir, 'containerd.sock');
  const ctr = (args) => run('ctr', ['--address', address, '--namespace', NAMESPACE, ...args]);
  try {
    await Promise.race([waitForSocket(ctr, daemon, logFile), spawnError]);
    for (const entry of Object.values(entries)) await ctr(['images', 'import', entry.archive]);
    const listed = parseImageList(await ctr(['images', 'ls']));
    return Object.entries(entries).map(([name, entry]) => {
      const ref = `docker.io/${entry.repository}:${entry.tag}`;
      return { name, ref, expected: entry.digest, imported: listed[ref] ?? null };
    });
  } finally {
    await stop(daemon);
    // Unpacked snapshots are plain directories (nothing is mounted once the daemon is gone).
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
