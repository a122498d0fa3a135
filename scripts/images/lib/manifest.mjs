// The build's interface to its consumers (the cluster's image import and deploy):
//   images.json   { "<name>": { repository, tag, digest, archive } }
//   variants.json { "<name>": { "<label>": { repository, tag, digest, archive, neverReady } } }
// Both are replaced atomically, so a reader never sees half a file; a partial build (--only)
// keeps the other entries.
import fs from 'node:fs';
import path from 'node:path';
import { archivesDir, manifestFile, variantsFile } from './paths.mjs';

function readJson(file) {
  if (!fs.existsSync(file)) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${error.message}): remove it and build again`, {
      cause: error,
    });
  }
}

function writeAtomically(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(partial, file);
}

const entryOf = ({ repository, tag, digest, archive }) => ({ repository, tag, digest, archive });

/** `built`: { name: result of buildImage }. Resolves to the whole manifest after the merge. */
export function recordImages(built) {
  const manifest = readJson(manifestFile);
  for (const [name, result] of Object.entries(built)) manifest[name] = entryOf(result);
  writeAtomically(manifestFile, manifest);
  return manifest;
}

export function recordVariants(built, label, neverReady) {
  const variants = readJson(variantsFile);
  for (const [name, result] of Object.entries(built)) {
    variants[name] = { ...variants[name], [label]: { ...entryOf(result), neverReady } };
  }
  writeAtomically(variantsFile, variants);
  return variants;
}

export const readImages = () => readJson(manifestFile);

/** Removes archives (and their records) that neither manifest names any more. */
export function pruneArchives() {
  if (!fs.existsSync(archivesDir)) return [];
  const named = new Set(Object.values(readJson(manifestFile)).map((entry) => entry.archive));
  for (const labels of Object.values(readJson(variantsFile))) {
    for (const entry of Object.values(labels)) named.add(entry.archive);
  }
  const removed = [];
  for (const file of fs.readdirSync(archivesDir)) {
    const full = path.join(archivesDir, file);
    if (file.endsWith('.tar') && !named.has(full)) {
      fs.rmSync(full, { force: true });
      removed.push(file);
    } else if (file.endsWith('.json')) {
      const record = readJson(full);
      if (!named.has(record.archive)) fs.rmSync(full, { force: true });
    }
  }
  return removed;
}
