data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region

  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : var.oidc_provider_arn

  repo          = var.github_repository
  cluster_names = coalesce(var.cluster_names, { for environment in var.environments : environment => "${environment}.movies.k8s.local" })

  # The `sub` claims each role trusts. The repository's OIDC subject template must include
  # job_workflow_ref (see README): a job only gets a role when it runs the workflow file the role
  # is meant for, in the context (pull request, main, GitHub environment) it is meant for.
  plan_subjects = [
    for workflow in var.plan_workflows :
    "repo:${local.repo}:${workflow.context}:job_workflow_ref:${local.repo}/.github/workflows/${workflow.file}@${workflow.ref}"
  ]
  apply_subjects = {
    for environment in var.environments : environment => [
      for file in var.apply_workflows :
      "repo:${local.repo}:environment:${environment}:job_workflow_ref:${local.repo}/.github/workflows/${file}@refs/heads/main"
    ]
  }
  image_push_subjects = [
    for file in var.image_push_workflows :
    "repo:${local.repo}:ref:refs/heads/main:job_workflow_ref:${local.repo}/.github/workflows/${file}@refs/heads/main"
  ]

  workload_boundary_arn = "arn:${local.partition}:iam::${local.account_id}:policy/${var.workload_permissions_boundary_name}"
  kops_boundary_arns    = { for environment in var.environments : environment => "arn:${local.partition}:iam::${local.account_id}:policy/${var.role_name_prefix}-kops-boundary-${environment}" }

  # Everything the policy templates in policies/ are rendered with, per environment (the tests
  # render the same templates with the same keys, see terraform/tests/iam/).
  policy_vars = {
    for environment in var.environments : environment => {
      partition              = local.partition
      account_id             = local.account_id
      region                 = local.region
      environment            = environment
      project                = var.project
      cluster_name           = local.cluster_names[environment]
      state_bucket           = var.state_bucket_name
      kops_state_bucket      = var.kops_state_bucket_names[environment]
      workload_name          = "${var.workload_role_name_prefix}-${environment}"
      workload_boundary_arn  = local.workload_boundary_arn
      kops_boundary_arn      = local.kops_boundary_arns[environment]
      other_cluster_tag_keys = [for other in var.environments : "kubernetes.io/cluster/${local.cluster_names[other]}" if other != environment]
    }
  }

  # The apply role's permissions, one managed policy each (IAM caps a managed policy at 6,144
  # characters): EC2 networking, state/keys/databases/secrets/logs/IAM for Terraform, kOps'
  # cluster resources, and the deny guardrails that keep every environment inside its own tags.
  apply_policy_parts = ["network", "data", "kops", "guardrails"]
  apply_policies = merge([
    for environment in var.environments : {
      for part in local.apply_policy_parts : "${environment}-${part}" => { environment = environment, part = part }
    }
  ]...)

  roles = merge(
    {
      for environment in var.environments : "plan-${environment}" => {
        description = "Read-only plan of the ${environment} environment for ${var.github_repository} (no keys, secrets or other environments)"
        subjects    = local.plan_subjects
        tags        = { environment = environment }
      }
    },
    {
      for environment in var.environments : "apply-${environment}" => {
        description = "Apply of the ${environment} environment for ${var.github_repository} (GitHub environment ${environment})"
        subjects    = local.apply_subjects[environment]
        tags        = { environment = environment }
      }
    },
    {
      image-push = {
        description = "Push service images to ECR from the main branch of ${var.github_repository}"
        subjects    = local.image_push_subjects
        tags        = {}
      }
    },
  )
}

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 1 : 0

  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]

  tags = var.tags
}

resource "aws_iam_role" "github" {
  for_each = local.roles

  name                 = "${var.role_name_prefix}-${each.key}"
  description          = each.value.description
  assume_role_policy   = templatefile("${path.module}/policies/trust.json.tftpl", { oidc_provider_arn = local.oidc_provider_arn, subjects = each.value.subjects })
  max_session_duration = var.max_session_duration

  tags = merge(var.tags, each.value.tags)
}

# --- Boundaries ----------------------------------------------------------------------------------
# Every role an apply role creates must carry one: the workload boundary for Terraform's roles
# (flow logs), the cluster boundary of its environment for kOps' instance roles.

resource "aws_iam_policy" "workload_boundary" {
  name        = var.workload_permissions_boundary_name
  description = "Upper bound of every IAM role Terraform creates with an apply role"
  policy      = templatefile("${path.module}/policies/workload-boundary.json.tftpl", local.policy_vars[var.environments[0]])

  tags = var.tags
}

resource "aws_iam_policy" "kops_boundary" {
  for_each = toset(var.environments)

  name        = "${var.role_name_prefix}-kops-boundary-${each.key}"
  description = "Upper bound of every IAM role kOps creates for the ${each.key} cluster (spec.iam.permissionsBoundary)"
  policy      = templatefile("${path.module}/policies/kops-boundary.json.tftpl", local.policy_vars[each.key])

  tags = merge(var.tags, { environment = each.key })
}

# --- Role permissions ----------------------------------------------------------------------------

resource "aws_iam_role_policy" "plan" {
  for_each = toset(var.environments)

  name   = "plan"
  role   = aws_iam_role.github["plan-${each.key}"].id
  policy = templatefile("${path.module}/policies/plan.json.tftpl", local.policy_vars[each.key])
}

resource "aws_iam_policy" "apply" {
  for_each = local.apply_policies

  name        = "${var.role_name_prefix}-apply-${each.key}"
  description = "Apply role of ${each.value.environment}: ${each.value.part}"
  policy      = templatefile("${path.module}/policies/apply-${each.value.part}.json.tftpl", local.policy_vars[each.value.environment])

  tags = merge(var.tags, { environment = each.value.environment })
}

resource "aws_iam_role_policy_attachment" "apply" {
  for_each = local.apply_policies

  role       = aws_iam_role.github["apply-${each.value.environment}"].name
  policy_arn = aws_iam_policy.apply[each.key].arn
}

resource "aws_iam_role_policy" "image_push" {
  name   = "image-push"
  role   = aws_iam_role.github["image-push"].id
  policy = templatefile("${path.module}/policies/image-push.json.tftpl", local.policy_vars[var.environments[0]])
}
