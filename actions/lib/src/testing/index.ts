export {
  startFakeGitHub,
  paginate,
  type FakeGitHub,
  type FakeComment,
  type FakeHandler,
  type FakeRequest,
  type FakeResponse,
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
