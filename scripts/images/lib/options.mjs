// Command line of scripts/images/build.mjs.
import { TARGET_NAMES } from './targets.mjs';

export const USAGE = `usage: node scripts/images/build.mjs [options]   (npm run images -- [options])

  --only a,b           build only these images (${TARGET_NAMES.join(', ')}); default: all
  --variant LABEL      build a second image of each service with GIT_SHA=LABEL (same Dockerfile,
                       another digest); written to .data/images/variants.json, not images.json
  --never-ready        with --variant (default label never-ready): an image that never becomes
                       ready (its process exits at start)
  --verify-import      import every archive into a private containerd and compare digests
  --refresh-base       rebuild the local base images even when their inputs are unchanged
                       (picks up new Debian packages)
  --clean              remove .data/images (storage, archives, manifests) and exit
  --help               this text`;

const SWITCHES = {
  '--never-ready': 'neverReady',
  '--verify-import': 'verifyImport',
  '--refresh-base': 'refreshBase',
  '--clean': 'clean',
  '--help': 'help',
  '-h': 'help',
};

const LABEL = /^[a-z0-9][a-z0-9._-]{0,39}$/;

export function parseOptions(argv) {
  const options = {
    only: [...TARGET_NAMES],
    variant: null,
    neverReady: false,
    verifyImport: false,
    refreshBase: false,
    clean: false,
    help: false,
  };
  const value = (flag, i) => {
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value`);
    return next;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const take = () => (inline !== undefined ? inline : value(flag, i++));
    switch (flag) {
      case '--only': {
        const names = take()
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
        const unknown = names.filter((name) => !TARGET_NAMES.includes(name));
        if (names.length === 0 || unknown.length) {
          throw new Error(
            `--only: unknown image(s) ${unknown.join(', ') || '(none given)'} (expected some of ${TARGET_NAMES.join(', ')})`,
          );
        }
        options.only = TARGET_NAMES.filter((name) => names.includes(name));
        break;
      }
      case '--variant':
        options.variant = take();
        if (!LABEL.test(options.variant)) {
          throw new Error(
            `--variant ${JSON.stringify(options.variant)}: a label is 1-40 of a-z 0-9 . _ - and starts with a letter or digit`,
          );
        }
        break;
      default:
        if (!SWITCHES[flag] || inline !== undefined) {
          throw new Error(`unknown option ${argv[i]}\n\n${USAGE}`);
        }
        options[SWITCHES[flag]] = true;
    }
  }
  if (options.neverReady && !options.variant) options.variant = 'never-ready';
  if (options.variant && options.only.includes('ferretdb')) {
    if (argv.some((arg) => arg.startsWith('--only'))) {
      throw new Error('--variant builds service images only: leave ferretdb out of --only');
    }
    options.only = options.only.filter((name) => name !== 'ferretdb');
  }
  return options;
}
