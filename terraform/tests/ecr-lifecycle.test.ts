// The ECR lifecycle policy of modules/ecr, rendered as templatefile() renders it with the
// module's defaults, run (with ECR's documented evaluation rules, ecr/lifecycle.ts) against a
// repository history in which dev pushes an image on every main commit while staging and prod
// pin older ones in their release.yaml: no digest any release file names may ever expire.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { loadEnvironments, type LoadedEnvironment } from '@movies/actions-lib';
import { repoRoot } from '@movies/testing';
import YAML from 'yaml';
import {
  expiredImages,
  validatePolicy,
  type LifecyclePolicy,
  type RepositoryImage,
} from './ecr/lifecycle';
import { renderTemplate } from './iam/policies';
import { terraformDir } from './layout';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 5, 1);

async function moduleDefaults(): Promise<Record<string, unknown>> {
  const dir = terraformDir('modules/ecr');
  const parsed = (await parse(
    'variables.tf',
    fs.readFileSync(path.join(dir, 'variables.tf'), 'utf8'),
  )) as { variable: Record<string, Array<{ default?: unknown }>> };
  return Object.fromEntries(
    Object.entries(parsed.variable).map(([name, [block]]) => [name, block?.default]),
  );
}

async function shippedPolicy(): Promise<LifecyclePolicy> {
  const defaults = await moduleDefaults();
  const main = fs.readFileSync(path.join(terraformDir('modules/ecr'), 'main.tf'), 'utf8');
  // The exact variables main.tf passes to the template.
  const passed = [
    ...(/templatefile\("\$\{path\.module\}\/lifecycle-policy\.json\.tftpl", \{([\s\S]*?)\}\)/.exec(
      main,
    )?.[1] ?? ''),
  ].join('');
  const vars = Object.fromEntries(
    [...passed.matchAll(/^\s*([a-z_]+)\s*=\s*var\.([a-z_]+)\s*$/gm)].map(([, key, variable]) => [
      key!,
      defaults[variable!],
    ]),
  );
  return renderTemplate(
    'lifecycle-policy.json.tftpl',
    vars,
    terraformDir('modules/ecr'),
  ) as unknown as LifecyclePolicy;
}

/** The rules modules/ecr had before released images were protected (kept to show the defect). */
const POLICY_BEFORE: LifecyclePolicy = {
  rules: [
    {
      rulePriority: 1,
      selection: {
        tagStatus: 'untagged',
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: 7,
      },
      action: { type: 'expire' },
    },
    {
      rulePriority: 2,
      selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 50 },
      action: { type: 'expire' },
    },
  ],
};

const sha = (n: number) => n.toString(16).padStart(40, 'a');
const digest = (service: string, n: number) =>
  `sha256:${Buffer.from(`${service}-${n}`).toString('hex').padEnd(64, '0').slice(0, 64)}`;

/** What deploying an environment adds: released-<sha> on each digest its release.yaml pins. */
function releasedTags(
  environments: LoadedEnvironment[],
  prefix: string,
): Map<string, { digest: string; tag: string }[]> {
  const tags = new Map<string, { digest: string; tag: string }[]>();
  for (const environment of environments)
    for (const [service, image] of Object.entries(environment.release.services)) {
      if (!image?.digest) continue;
      const list = tags.get(service) ?? [];
      list.push({ digest: image.digest, tag: `${prefix}${image.tag}` });
      tags.set(service, list);
    }
  return tags;
}

/** 200 main commits, one every two hours, each pushing every service; a failed push left untagged every 40 commits. */
function history(service: string): RepositoryImage[] {
  const images: RepositoryImage[] = [];
  for (let n = 1; n <= 200; n++) {
    const pushedAt = NOW - (200 - n) * 2 * HOUR;
    images.push({ digest: digest(service, n), tags: [sha(n)], pushedAt });
    if (n % 40 === 0) images.push({ digest: digest(`${service}-failed`, n), tags: [], pushedAt });
  }
  return images;
}

describe('the ECR lifecycle policy keeps every released image', () => {
  let root: string;
  let environments: LoadedEnvironment[];
  let policy: LifecyclePolicy;
  const pins = { dev: 200, staging: 120, prod: 3 };

  beforeAll(async () => {
    policy = await shippedPolicy();
    // The shipped environments with release files that pin real-looking history.
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-releases-'));
    fs.cpSync(path.join(repoRoot, 'environments'), path.join(root, 'environments'), {
      recursive: true,
      filter: (source) => !source.includes(`${path.sep}tests`),
    });
    for (const [name, n] of Object.entries(pins)) {
      const services = Object.fromEntries(
        ['auth', 'data', 'recommendation', 'web'].map((service) => [
          service,
          { tag: sha(n), digest: digest(service, n) },
        ]),
      );
      fs.writeFileSync(
        path.join(root, 'environments', name, 'release.yaml'),
        YAML.stringify({ services }),
      );
    }
    environments = loadEnvironments(root);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is a policy ECR accepts, with the released rule first', () => {
    expect(validatePolicy(policy)).toEqual([]);
    expect(policy.rules[0]!.selection).toMatchObject({
      tagStatus: 'tagged',
      tagPatternList: ['released-*'],
    });
  });

  it.each(['auth', 'data', 'recommendation', 'web'])(
    '%s: no digest named in a release file expires; unreleased history beyond the newest 50 does',
    (service) => {
      const tagged = releasedTags(environments, 'released-').get(service) ?? [];
      expect(tagged).toHaveLength(3);
      const images = history(service).map((image) => ({
        ...image,
        tags: [...image.tags, ...tagged.filter((t) => t.digest === image.digest).map((t) => t.tag)],
      }));
      const expired = expiredImages(policy, images, NOW);
      for (const { digest: pinned } of tagged)
        expect([pinned, expired.has(pinned)]).toEqual([pinned, false]);
      // Unreleased commit images outside the newest 50 go; failed pushes go after 7 days.
      for (let n = 1; n <= 145; n++)
        if (n !== pins.staging && n !== pins.prod)
          expect([n, expired.has(digest(service, n))]).toEqual([n, true]);
      for (let n = 160; n <= 200; n++)
        expect([n, expired.has(digest(service, n))]).toEqual([n, false]);
      expect(
        [40, 80, 120, 160, 200].map((n) => expired.has(digest(`${service}-failed`, n))),
      ).toEqual([true, true, false, false, false]);
    },
  );

  it('the policy before this change expired the digest prod runs', () => {
    const images = history('web');
    const expired = expiredImages(POLICY_BEFORE, images, NOW);
    const prod = environments.find((e) => e.name === 'prod')!.release.services.web!.digest!;
    expect(expired.has(prod)).toBe(true);
  });

  it('an image tagged released-<sha> survives even far behind main', () => {
    const images = history('web').map((image) =>
      image.digest === digest('web', 1) ? { ...image, tags: [...image.tags, 'released-x'] } : image,
    );
    expect(expiredImages(policy, images, NOW + 365 * 24 * HOUR).has(digest('web', 1))).toBe(false);
  });
});
