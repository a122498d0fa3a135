import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { githubClient, readEvent, repoFromEnv } from './github';

describe('github environment helpers', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads the event name and payload', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'event-'));
    const file = path.join(dir, 'event.json');
    fs.writeFileSync(file, JSON.stringify({ number: 7 }));
    process.env.GITHUB_EVENT_NAME = 'pull_request';
    process.env.GITHUB_EVENT_PATH = file;
    expect(readEvent()).toEqual({ name: 'pull_request', payload: { number: 7 } });
    fs.writeFileSync(file, '[1,2]');
    expect(() => readEvent()).toThrow(/is not a webhook payload: the payload is not a JSON object/);
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses to run without GITHUB_EVENT_NAME', () => {
    delete process.env.GITHUB_EVENT_NAME;
    expect(() => readEvent()).toThrow(/GITHUB_EVENT_NAME is not set/);
  });

  it('parses GITHUB_REPOSITORY', () => {
    process.env.GITHUB_REPOSITORY = 'movies-org/movies-gitops';
    expect(repoFromEnv()).toEqual({ owner: 'movies-org', repo: 'movies-gitops' });
    process.env.GITHUB_REPOSITORY = 'no-slash';
    expect(() => repoFromEnv()).toThrow('GITHUB_REPOSITORY must be "owner/name", got "no-slash"');
  });

  it('needs a token', () => {
    delete process.env.GITHUB_TOKEN;
    delete process.env['INPUT_GITHUB-TOKEN'];
    expect(() => githubClient()).toThrow(/no GitHub token/);
    process.env['INPUT_GITHUB-TOKEN'] = 'token-from-input';
    expect(githubClient()).toHaveProperty('rest.issues.createComment');
  });
});
