import { forRepository, parseCommandFile, webhookExample } from '.';

describe('testing helpers', () => {
  it('parses the GITHUB_OUTPUT file format written by @actions/core', () => {
    const text =
      'matrix<<ghadelimiter_1\n{"environment":["dev"]}\nghadelimiter_1\nany=true\nmulti<<EOF\na\nb\nEOF\n';
    expect(parseCommandFile(text)).toEqual({
      matrix: '{"environment":["dev"]}',
      any: 'true',
      multi: 'a\nb',
    });
  });

  it('serves real webhook payloads, pointed at our repository', () => {
    const payload = forRepository(
      webhookExample('pull_request', 'synchronize'),
      'movies-org',
      'movies-gitops',
    );
    expect(payload.action).toBe('synchronize');
    expect(payload).toMatchObject({
      repository: { full_name: 'movies-org/movies-gitops', owner: { login: 'movies-org' } },
    });
    expect(typeof (payload.pull_request as { number: number }).number).toBe('number');
    expect(() => webhookExample('pull_request', 'no-such-action')).toThrow(
      /no "pull_request" example with action "no-such-action"/,
    );
  });
});
