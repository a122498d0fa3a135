export { runAction, describeError } from './run-action';
export { runCli, CliError, type CliOptions, type CliResult } from './cli';
export {
  githubClient,
  readEvent,
  repoFromEnv,
  type GitHubClient,
  type WorkflowEvent,
  type RepoRef,
} from './github';
export {
  upsertCommentSection,
  renderCommentBody,
  parseSections,
  environmentMarker,
  isAuthoredBy,
  ACTIONS_BOT_LOGIN,
  COMMENT_LIMIT,
  COMMENT_BUDGET,
  SECTION_ORDER,
  type UpsertCommentSectionOptions,
  type UpsertedComment,
} from './comment';
export { writeSummary, SUMMARY_LIMIT_BYTES } from './summary';
export {
  loadEnvironment,
  loadEnvironments,
  environmentFolders,
  workspaceRoot,
  EnvironmentError,
  crossFieldErrors,
  accountErrors,
  releaseErrors,
  ENVIRONMENTS_DIR,
} from './environment';
export { formatSchemaErrors, environmentValidators } from './environment-schema';
export { parseIpv4Cidr, isVpcCidr, cidrsOverlap, type Ipv4Network } from './cidr';
export {
  PROMOTION_ORDER,
  SERVICES,
  type EnvironmentName,
  type ServiceName,
  type EnvConfig,
  type NodeGroup,
  type ReleaseConfig,
  type ServiceImage,
  type LoadedEnvironment,
} from './environment-types';
export { unifiedDiff, diffStats } from './unified-diff';
export { parseDuration } from './duration';
export {
  publishSection,
  upsertPullRequestSection,
  pullRequestNumber,
} from './pull-request-comment';
export {
  GITHUB_ENDPOINTS,
  PERMISSION_SCOPES,
  allowsCall,
  missingPermissions,
  permissionsFor,
  everyCall,
  callsOf,
  type ActionCalls,
  type CommandCalls,
  type ConditionalCalls,
  type Endpoint,
  type EndpointName,
  type JobPermissions,
  type PermissionLevel,
  type PermissionScope,
  type PermissionSet,
} from './github-endpoints';
export {
  reviewedRecords,
  mergedPullRequests,
  describeRefusals,
  renderReviewSection,
  readRecord,
  recordMarker,
  reviewCheckName,
  writeReviewCheck,
  REVIEW_SECTION,
  REVIEW_APP,
  type ReviewRecord,
  type ReviewedTool,
  type AcceptedRecord,
  type Refusal,
  type RefusalReason,
} from './reviewed-changes';
export {
  lastSuccessfulDeployment,
  succeededDeployments,
  isTeardown,
  TEARDOWN_PAYLOAD,
  type LastDeployment,
} from './deployments';
export { parseImages, isServiceName, type PinnedImage, type ReleaseImages } from './release-images';
