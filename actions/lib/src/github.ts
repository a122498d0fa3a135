import fs from 'node:fs';
import * as core from '@actions/core';
import * as github from '@actions/github';

export type GitHubClient = ReturnType<typeof github.getOctokit>;

/**
 * An Octokit for the `github-token` input (or `GITHUB_TOKEN`), talking to `GITHUB_API_URL`
 * (GitHub Enterprise, or the fake API the tests start on loopback).
 */
export function githubClient(token?: string): GitHubClient {
  const resolved = token || core.getInput('github-token') || process.env.GITHUB_TOKEN;
  if (!resolved) {
    throw new Error(
      'no GitHub token: set the `github-token` input (usually `${{ github.token }}`) or GITHUB_TOKEN',
    );
  }
  return github.getOctokit(resolved, {
    baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
  });
}

export interface WorkflowEvent {
  name: string;
  payload: Record<string, unknown>;
}

/** The triggering event: its name and the webhook payload the runner wrote to a file. */
export function readEvent(): WorkflowEvent {
  const name = process.env.GITHUB_EVENT_NAME;
  if (!name)
    throw new Error(
      'GITHUB_EVENT_NAME is not set: this must run inside a workflow (or set it for a local run)',
    );
  const file = process.env.GITHUB_EVENT_PATH;
  if (!file) return { name, payload: {} };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`GITHUB_EVENT_PATH ${file} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const payload: unknown = JSON.parse(text);
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      throw new Error('the payload is not a JSON object');
    }
    return { name, payload: payload as Record<string, unknown> };
  } catch (error) {
    throw new Error(
      `GITHUB_EVENT_PATH ${file} is not a webhook payload: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

export interface RepoRef {
  owner: string;
  repo: string;
}

/** `{owner, repo}` from `GITHUB_REPOSITORY` ("owner/name"). */
export function repoFromEnv(): RepoRef {
  const full = process.env.GITHUB_REPOSITORY ?? '';
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(full);
  if (!match)
    throw new Error(`GITHUB_REPOSITORY must be "owner/name", got ${JSON.stringify(full)}`);
  return { owner: match[1]!, repo: match[2]! };
}
