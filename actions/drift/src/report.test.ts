import { driftMarker, driftSummary, isDrifted, issueBody, type PlanReport } from './report';

const clean: PlanReport = {
  outcome: 'success',
  changes: false,
  toAdd: '0',
  toChange: '0',
  toDestroy: '0',
  failureReason: '',
  planMarkdown: '',
};

describe('drift report', () => {
  it('counts a plan with changes and a failed plan as drift, a clean plan not', () => {
    expect(isDrifted(clean)).toBe(false);
    expect(isDrifted({ ...clean, changes: true })).toBe(true);
    expect(isDrifted({ ...clean, outcome: 'failure', failureReason: 'state-locked' })).toBe(true);
  });

  it('summarises counts, or why the plan could not tell', () => {
    expect(
      driftSummary({ ...clean, changes: true, toAdd: '1', toChange: '2', toDestroy: '3' }),
    ).toBe('The plan wants to add 1, change 2 and destroy 3 resources.');
    expect(driftSummary({ ...clean, outcome: 'failure', failureReason: 'state-locked' })).toBe(
      'The plan did not succeed (failure: state-locked), so drift cannot be ruled out.',
    );
  });

  it('starts the body with the environment marker and keeps a long plan under the issue limit', () => {
    const body = issueBody(
      'prod',
      { ...clean, changes: true, planMarkdown: 'x'.repeat(100_000) },
      'https://run',
      new Date(0),
    );
    expect(body.startsWith(driftMarker('prod'))).toBe(true);
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain('truncated');
    expect(body).toContain('1970-01-01T00:00:00.000Z');
  });
});
