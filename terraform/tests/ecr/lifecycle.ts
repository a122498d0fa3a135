// Amazon ECR's lifecycle policy evaluation, as the ECR user guide ("Lifecycle policy evaluation
// rules") specifies it, so a policy can be run against a repository's history in a test:
// - rules are applied from the lowest rulePriority number (highest priority) up;
// - an image that matches the tagging requirements of a higher-priority rule can never be expired
//   by a lower-priority rule (it is still counted by them, "identified as if not expired");
// - an image is expired by at most one rule;
// - tagPatternList / tagPrefixList match when every pattern (prefix) matches one of the image's
//   tags; "*" in a pattern matches any characters;
// - imageCountMoreThan keeps the newest countNumber selected images (by push time) and expires
//   the rest; sinceImagePushed expires selected images older than countNumber days.

export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: {
    tagStatus: 'tagged' | 'untagged' | 'any';
    tagPatternList?: string[];
    tagPrefixList?: string[];
    countType: 'imageCountMoreThan' | 'sinceImagePushed';
    countUnit?: 'days';
    countNumber: number;
  };
  action: { type: 'expire' };
}

export interface LifecyclePolicy {
  rules: LifecycleRule[];
}

export interface RepositoryImage {
  digest: string;
  tags: string[];
  /** Milliseconds since the epoch. */
  pushedAt: number;
}

const DAY = 86_400_000;

function patternMatches(pattern: string, tag: string): boolean {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`).test(tag);
}

/** Whether an image meets a rule's tagging requirements (its selection, without the count). */
export function matchesTagging(rule: LifecycleRule, image: RepositoryImage): boolean {
  const { tagStatus, tagPatternList, tagPrefixList } = rule.selection;
  if (tagStatus === 'untagged') return image.tags.length === 0;
  if (tagStatus === 'any') return true;
  if (image.tags.length === 0) return false;
  const patterns = tagPatternList ?? (tagPrefixList ?? []).map((prefix) => `${prefix}*`);
  return patterns.every((pattern) => image.tags.some((tag) => patternMatches(pattern, tag)));
}

/** Checks the rules ECR refuses at PutLifecyclePolicy. */
export function validatePolicy(policy: LifecyclePolicy): string[] {
  const problems: string[] = [];
  const priorities = policy.rules.map((rule) => rule.rulePriority);
  if (new Set(priorities).size !== priorities.length) problems.push('rulePriority values repeat');
  const sorted = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const anyIndex = sorted.findIndex((rule) => rule.selection.tagStatus === 'any');
  if (anyIndex !== -1 && anyIndex !== sorted.length - 1)
    problems.push('a tagStatus "any" rule must have the lowest priority');
  if (sorted.filter((rule) => rule.selection.tagStatus === 'untagged').length > 1)
    problems.push('only one rule may select untagged images');
  for (const rule of sorted) {
    const { tagStatus, tagPatternList, tagPrefixList, countType, countUnit } = rule.selection;
    if (tagStatus === 'tagged' && !tagPatternList?.length && !tagPrefixList?.length)
      problems.push(`rule ${rule.rulePriority}: tagged needs tagPatternList or tagPrefixList`);
    if (tagPatternList && tagPrefixList)
      problems.push(`rule ${rule.rulePriority}: tagPatternList and tagPrefixList together`);
    if (countType === 'sinceImagePushed' && countUnit !== 'days')
      problems.push(`rule ${rule.rulePriority}: sinceImagePushed needs countUnit days`);
    if (!Number.isInteger(rule.selection.countNumber) || rule.selection.countNumber < 1)
      problems.push(`rule ${rule.rulePriority}: countNumber must be a positive integer`);
  }
  return problems;
}

/** The digests the policy expires from the repository at time `now`. */
export function expiredImages(
  policy: LifecyclePolicy,
  images: RepositoryImage[],
  now: number,
): Set<string> {
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const expired = new Set<string>();
  rules.forEach((rule, index) => {
    const higher = rules.slice(0, index);
    const selected = images
      .filter((image) => matchesTagging(rule, image))
      .sort((a, b) => b.pushedAt - a.pushedAt);
    const candidates =
      rule.selection.countType === 'imageCountMoreThan'
        ? selected.slice(rule.selection.countNumber)
        : selected.filter((image) => now - image.pushedAt > rule.selection.countNumber * DAY);
    for (const image of candidates) {
      if (expired.has(image.digest)) continue;
      if (higher.some((other) => matchesTagging(other, image))) continue;
      expired.add(image.digest);
    }
  });
  return expired;
}
