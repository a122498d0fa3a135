import examples from '@octokit/webhooks-examples';

interface WebhookExampleGroup {
  name: string;
  examples: Array<Record<string, unknown>>;
}

/**
 * A real webhook payload from `@octokit/webhooks-examples` (one JSON list of examples per
 * event): the first example of `event` with that `action` (any when omitted) for which `match`
 * holds, deep-copied.
 */
export function webhookExample(
  event: string,
  action?: string,
  match: (payload: Record<string, unknown>) => boolean = () => true,
): Record<string, unknown> {
  const group = (examples as unknown as WebhookExampleGroup[]).find(
    (entry) => entry.name === event,
  );
  if (!group) throw new Error(`@octokit/webhooks-examples has no "${event}" event`);
  const example = group.examples.find(
    (payload) => (action === undefined || payload.action === action) && match(payload),
  );
  if (!example)
    throw new Error(`@octokit/webhooks-examples has no "${event}" example with action "${action}"`);
  return structuredClone(example);
}

/**
 * Points a payload's repository at `owner/repo` (the only adjustment our tests make: the
 * actions read the repository from GITHUB_REPOSITORY and PR numbers from the payload).
 */
export function forRepository<T extends Record<string, unknown>>(
  payload: T,
  owner: string,
  repo: string,
): T {
  const repository = payload.repository as Record<string, unknown> | undefined;
  if (repository) {
    repository.name = repo;
    repository.full_name = `${owner}/${repo}`;
    const repoOwner = repository.owner as Record<string, unknown> | undefined;
    if (repoOwner) repoOwner.login = owner;
  }
  return payload;
}
