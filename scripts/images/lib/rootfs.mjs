// Debian root filesystems for the base images. mmdebstrap installs bookworm from the host's
// own apt sources (the same archive the host's apt-get uses); the distroless equivalents then
// take from that tree only the files dpkg records for a handful of packages.
import fs from 'node:fs';
import path from 'node:path';
import { run } from './run.mjs';

const SOURCE_FILES = ['/etc/apt/sources.list'];
const SOURCE_DIR = '/etc/apt/sources.list.d';

/** The host's apt source files that name `suite`; mmdebstrap copies them into the chroot. */
export function hostAptSources(suite) {
  const candidates = [
    ...SOURCE_FILES,
    ...(fs.existsSync(SOURCE_DIR)
      ? fs
          .readdirSync(SOURCE_DIR)
          .filter((name) => /\.(list|sources)$/.test(name))
          .sort()
          .map((name) => path.join(SOURCE_DIR, name))
      : []),
  ];
  const sources = candidates.filter((file) => {
    if (!fs.existsSync(file)) return false;
    const lines = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() && !line.trim().startsWith('#'));
    return lines.some((line) => new RegExp(`\\b${suite}\\b`).test(line));
  });
  if (sources.length === 0) {
    throw new Error(
      `no apt source of this host names Debian ${suite} (looked in ${[...SOURCE_FILES, `${SOURCE_DIR}/*`].join(', ')}): the base images are built from the host's Debian archive`,
    );
  }
  return sources.map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }));
}

// As in Debian's slim images: no documentation, man pages or translations (copyrights stay).
const SLIM_DPKG_OPTIONS = [
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/locale/*',
  'path-include=/usr/share/locale/locale.alias',
  'path-exclude=/usr/share/lintian/*',
];

// The build host's resolver and name must not end up in an image; the runtime provides both.
const FORGET_HOST = 'rm -f "$1/etc/resolv.conf" "$1/etc/hostname"';

/**
 * Runs mmdebstrap. `output` ends in .tar for a tarball or is a directory. Timestamps are
 * clamped to `sourceDateEpoch` so the same packages give the same tree.
 */
export async function mmdebstrap({
  suite,
  sources,
  output,
  include = [],
  hooks = [],
  slim = false,
  sourceDateEpoch,
  log,
}) {
  const args = [
    '--variant=minbase',
    '--mode=root',
    '--skip=output/dev',
    `--customize-hook=${FORGET_HOST}`,
    ...hooks.map((hook) => `--customize-hook=${hook}`),
  ];
  if (include.length) args.push(`--include=${include.join(',')}`);
  if (slim) args.push(...SLIM_DPKG_OPTIONS.map((option) => `--dpkgopt=${option}`));
  args.push(`--format=${output.endsWith('.tar') ? 'tar' : 'directory'}`);
  args.push(suite, output, ...sources.map((source) => source.file));
  await run('mmdebstrap', args, {
    env: { ...process.env, SOURCE_DATE_EPOCH: String(sourceDateEpoch) },
    log,
  });
}

// Inside a distroless image nothing may be run but the app: no files from bin/sbin/libexec,
// no login scripts (base-files' motd script), no documentation.
const DISTROLESS_SKIP =
  /^\/(usr\/)?(s?bin|libexec)(\/|$)|^\/etc\/update-motd\.d\/|^\/usr\/share\/(man|info|lintian|locale|doc-base)\/|^\/usr\/share\/doc\/[^/]+\/(?!copyright$)/;

function dpkgList(rootfs, pkg) {
  for (const name of [`${pkg}.list`, `${pkg}:amd64.list`]) {
    const file = path.join(rootfs, 'var', 'lib', 'dpkg', 'info', name);
    if (fs.existsSync(file)) {
      return fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line && line !== '/.');
    }
  }
  throw new Error(`package ${pkg} is not installed in ${rootfs} (no dpkg file list)`);
}

/** The package's stanza from dpkg's status file, for scanners (as distroless ships them). */
function dpkgStatus(rootfs, pkg) {
  const status = fs.readFileSync(path.join(rootfs, 'var', 'lib', 'dpkg', 'status'), 'utf8');
  const stanza = status.split('\n\n').find((block) => block.startsWith(`Package: ${pkg}\n`));
  if (!stanza) throw new Error(`package ${pkg} has no entry in ${rootfs}/var/lib/dpkg/status`);
  return `${stanza.trim()}\n`;
}

function copyMeta(to, stat) {
  fs.lchownSync(to, stat.uid, stat.gid);
  if (!stat.isSymbolicLink()) fs.chmodSync(to, stat.mode & 0o7777);
}

/**
 * Copies the entry at absolute path `entry` of `rootfs` into `stage`. Directories on the way
 * that are symlinks in the source (the merged-/usr links /lib64, /bin, ...) are reproduced as
 * symlinks and followed, so the file lands where the loader will look for it.
 */
function copyEntry(rootfs, stage, entry) {
  const parts = entry.split('/').filter(Boolean);
  let relative = '';
  for (let i = 0; i < parts.length; i += 1) {
    const next = path.posix.join(relative, parts[i]);
    const source = path.join(rootfs, next);
    const target = path.join(stage, next);
    const stat = fs.lstatSync(source);
    const last = i === parts.length - 1;
    if (stat.isSymbolicLink()) {
      const link = fs.readlinkSync(source);
      if (!fs.existsSync(target) && !isLink(target)) {
        fs.symlinkSync(link, target);
        copyMeta(target, stat);
      }
      if (last) return;
      relative = path.posix.normalize(
        link.startsWith('/') ? link.slice(1) : path.posix.join(path.posix.dirname(next), link),
      );
      copyEntry(rootfs, stage, `/${relative}`);
      continue;
    }
    if (stat.isDirectory()) {
      if (!fs.existsSync(target)) fs.mkdirSync(target);
      copyMeta(target, stat);
    } else if (last) {
      fs.copyFileSync(source, target);
      copyMeta(target, stat);
    }
    relative = next;
  }
}

function isLink(file) {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

const PASSWD = [
  'root:x:0:0:root:/root:/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin',
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin',
];
const GROUP = ['root:x:0:', 'nobody:x:65534:', 'tty:x:5:', 'staff:x:50:', 'nonroot:x:65532:'];

/**
 * Fills `stage` with a distroless tree: the files of `packages` as installed in `rootfs`, the
 * CA bundle that ca-certificates' postinst generated there, the users root, nobody and nonroot
 * (65532), /tmp and the nonroot home. No shell, no dpkg, no apt.
 */
export function distrolessTree(rootfs, stage, packages) {
  fs.mkdirSync(stage, { recursive: true });
  fs.chmodSync(stage, 0o755);
  for (const pkg of packages) {
    for (const entry of dpkgList(rootfs, pkg)) {
      if (DISTROLESS_SKIP.test(entry)) continue;
      if (!fs.existsSync(path.join(rootfs, entry)) && !isLink(path.join(rootfs, entry))) continue;
      copyEntry(rootfs, stage, entry);
    }
    const statusDir = path.join(stage, 'var', 'lib', 'dpkg', 'status.d');
    fs.mkdirSync(statusDir, { recursive: true });
    fs.writeFileSync(path.join(statusDir, pkg), dpkgStatus(rootfs, pkg));
  }
  if (packages.includes('ca-certificates')) {
    copyEntry(rootfs, stage, '/etc/ssl/certs/ca-certificates.crt');
  }
  const write = (file, text, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(stage, file)), { recursive: true });
    fs.writeFileSync(path.join(stage, file), text);
    fs.chmodSync(path.join(stage, file), mode);
  };
  write('etc/passwd', `${PASSWD.join('\n')}\n`);
  write('etc/group', `${GROUP.join('\n')}\n`);
  write('etc/nsswitch.conf', 'passwd: files\ngroup: files\nhosts: files dns\n');
  for (const [dir, mode, owner] of [
    ['tmp', 0o1777, 0],
    ['root', 0o700, 0],
    ['home/nonroot', 0o700, 65532],
  ]) {
    fs.mkdirSync(path.join(stage, dir), { recursive: true });
    fs.chmodSync(path.join(stage, dir), mode);
    fs.chownSync(path.join(stage, dir), owner, owner);
  }
}

/** A tarball of `dir` that depends only on its contents (sorted, fixed times, numeric ids). */
export async function deterministicTar(dir, output, sourceDateEpoch) {
  await run('tar', [
    '--sort=name',
    `--mtime=@${sourceDateEpoch}`,
    '--numeric-owner',
    '--format=gnu',
    '-C',
    dir,
    '-cf',
    output,
    '.',
  ]);
}
