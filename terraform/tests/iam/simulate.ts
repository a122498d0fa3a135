// Evaluates concrete AWS requests against a role's policies with a maintained IAM policy
// evaluator (@cloud-copilot/iam-simulate: identity policies, permissions boundaries, explicit
// denies, every condition operator), the way IAM authorises each resource of a call.
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, type PolicyDocument, type RolePolicies } from './policies';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** One resource IAM evaluates for a call, with the tags it already has (none for what the call creates). */
export interface ResourceUnderTest {
  arn: string;
  tags?: Record<string, string>;
}

/** An API call as IAM sees it: one action, every resource it touches, the tags it sets, other condition keys. */
export interface AuthorizationRequest {
  action: string;
  resources: ResourceUnderTest[];
  requestTags?: Record<string, string>;
  context?: Record<string, string | string[]>;
  /** What the request is, for messages: "kOps CreateSecurityGroup masters.dev…". */
  label?: string;
}

export interface Evaluation {
  request: AuthorizationRequest;
  decision: Decision;
  /** The resource that decided a denial. */
  deniedResource?: string;
  errors?: string;
}

const KEY_POLICY_DELEGATING_TO_IAM = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AccountAdministration',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

const UNLISTED_RESOURCE_TYPES = new Set([
  'elasticloadbalancing:AddTags',
  'elasticloadbalancing:RemoveTags',
]);

function contextFor(request: AuthorizationRequest, resource: ResourceUnderTest) {
  const context: Record<string, string | string[]> = { ...(request.context ?? {}) };
  const requestTags = request.requestTags ?? {};
  for (const [key, value] of Object.entries(requestTags)) context[`aws:RequestTag/${key}`] = value;
  if (Object.keys(requestTags).length > 0) context['aws:TagKeys'] = Object.keys(requestTags);
  for (const [key, value] of Object.entries(resource.tags ?? {}))
    context[`aws:ResourceTag/${key}`] = value;
  return context;
}

async function evaluateOne(
  role: RolePolicies,
  request: AuthorizationRequest,
  resource: ResourceUnderTest,
): Promise<{ decision: Decision; errors?: string }> {
  const simulation: Simulation = {
    identityPolicies: role.policies.map((policy) => ({
      name: policy.name,
      policy: policy.document,
    })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    // KMS consults the key policy first; modules/kms-key's key policy delegates to IAM (the
    // account root may use the key), which is what lets these identity policies decide.
    ...(request.action.startsWith('kms:') && !request.resources.every((r) => r.arn === '*')
      ? { resourcePolicy: KEY_POLICY_DELEGATING_TO_IAM }
      : {}),
    permissionBoundaryPolicies: role.boundary
      ? [{ name: 'boundary', policy: role.boundary }]
      : undefined,
    request: {
      principal: role.arn,
      action: request.action,
      resource: { resource: resource.arn, accountId: ACCOUNT },
      contextVariables: contextFor(request, resource),
    },
  } as Simulation;
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    // The evaluator's action data merges Classic and v2 Elastic Load Balancing and lists only
    // Classic's resource type for AddTags/RemoveTags; ELBv2 tags target groups and listeners too.
    // Those requests are evaluated without that input check (same policy semantics).
    if (
      UNLISTED_RESOURCE_TYPES.has(request.action) &&
      JSON.stringify(result.errors).includes('no.resource.types')
    )
      return { decision: runUnsafeSimulation(simulation, {}) };
    return { decision: 'ImplicitlyDenied', errors: JSON.stringify(result.errors) };
  }
  return { decision: result.overallResult as Decision };
}

/** A call is allowed only when IAM allows it for every resource it names. */
export async function evaluate(
  role: RolePolicies,
  request: AuthorizationRequest,
): Promise<Evaluation> {
  for (const resource of request.resources) {
    const { decision, errors } = await evaluateOne(role, request, resource);
    if (decision !== 'Allowed')
      return { request, decision, deniedResource: resource.arn, ...(errors ? { errors } : {}) };
  }
  return { request, decision: 'Allowed' };
}

export async function evaluateAll(
  role: RolePolicies,
  requests: AuthorizationRequest[],
): Promise<Evaluation[]> {
  const results: Evaluation[] = [];
  for (const request of requests) results.push(await evaluate(role, request));
  return results;
}

/** "<label or action> on <resource>: <decision>" lines of the calls that were not allowed. */
export function denials(evaluations: Evaluation[]): string[] {
  return evaluations
    .filter((e) => e.decision !== 'Allowed')
    .map(
      (e) =>
        `${e.request.label ?? e.request.action} → ${e.request.action} on ${e.deniedResource} (tags ${JSON.stringify(e.request.resources.find((r) => r.arn === e.deniedResource)?.tags ?? {})}): ${e.decision}${e.errors ? ` (${e.errors.slice(0, 300)})` : ''}`,
    );
}

/** A role whose permissions are one policy document (a boundary evaluated as the only policy). */
export function asRole(name: string, document: PolicyDocument): RolePolicies {
  return { name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, policies: [{ name, document }] };
}
