export {
  startFakeGitHub,
  paginate,
  ConcurrencyGroups,
  ACTIONS_BOT,
  blobSha,
  userIdentity,
  type FakeGitHub,
  type FakeComment,
  type FakeCommit,
  type FakeCheckRun,
  type FakeDeployment,
  type FakeIdentity,
  type FakeIssue,
  type FakePull,
  type FakeRepository,
  type FakeResponse,
  type FakeStatus,
  type PullRequestOptions,
  type QueuedRun,
  type RecordedRequest,
} from './fake-github';
export {
  runBundledAction,
  parseCommandFile,
  type RunBundledActionOptions,
  type BundledActionResult,
} from './run-bundled-action';
export { distDifference, freshBundle } from './dist-check';
export { webhookExample, forRepository } from './webhook-events';
export { readRecordedCalls } from './recorded-calls';
export { recordDeployment } from './deployments';
