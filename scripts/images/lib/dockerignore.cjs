// BuildKit's reading of a `.dockerignore` (here an allow-list, `<Dockerfile>.dockerignore`):
// the last matching pattern wins, `!` re-includes, a pattern that matches a parent directory
// matches everything below it, and an excluded directory is still walked for re-included
// files. Shared by the image build (which stages exactly these files as the build context) and
// the Dockerfile checks in .github/tests. CommonJS so both ESM scripts and jest load it.
const fs = require('node:fs');
const path = require('node:path');

function patternToRegex(pattern) {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The rules of an ignore file's text, in order. */
function parseDockerignore(text) {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const pattern = (negate ? line.slice(1) : line)
        .trim()
        .replace(/^\/+/, '')
        .replace(/\/+$/, '');
      return { negate, pattern: patternToRegex(pattern) };
    });
}

/** Whether a context-relative file path is sent to the builder. */
function isIncluded(file, rules) {
  const parts = file.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let excluded = false;
  for (const rule of rules) {
    if (prefixes.some((prefix) => rule.pattern.test(prefix))) excluded = !rule.negate;
  }
  return !excluded;
}

/** Every file under `root/relative` (or the file itself), context-relative. */
function filesUnder(root, relative) {
  const abs = `${root}/${relative}`.replace(/\/+$/, '');
  if (!fs.existsSync(abs)) return [];
  if (!fs.statSync(abs).isDirectory()) return [relative.replace(/\/+$/, '')];
  return fs
    .readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) =>
      path
        .relative(root, path.join(entry.parentPath ?? entry.path, entry.name))
        .split(path.sep)
        .join('/'),
    );
}

// Walked for a context only down to what a re-include names in them: they are large and no
// allow-list sends them whole.
const UNWALKED = new Set(['.git', 'node_modules', '.data', '.tools']);

/** The `!` patterns of a rule text, as written. */
function reincludedPatterns(text) {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('!'))
    .map((line) => line.slice(1).trim().replace(/^\/+/, ''));
}

/** The leading path segments of a pattern that hold no wildcard. */
function literalPrefix(pattern) {
  const segments = [];
  for (const segment of pattern.split('/')) {
    if (/[*?[]/.test(segment)) break;
    segments.push(segment);
  }
  return segments.join('/');
}

/** Every file of the context directory `root` that the ignore file's `text` sends, sorted. */
function contextFiles(root, text) {
  const rules = parseDockerignore(text);
  const reincluded = reincludedPatterns(text);
  const walk = new Set();
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (!UNWALKED.has(entry.name)) walk.add(entry.name);
    else {
      for (const pattern of reincluded.filter((p) => p.startsWith(`${entry.name}/`))) {
        walk.add(literalPrefix(pattern));
      }
    }
  }
  const files = new Set();
  for (const start of walk) {
    for (const file of filesUnder(root, start)) if (isIncluded(file, rules)) files.add(file);
  }
  return [...files].sort();
}

module.exports = {
  parseDockerignore,
  isIncluded,
  filesUnder,
  contextFiles,
};
