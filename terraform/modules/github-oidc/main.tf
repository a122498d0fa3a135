data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region

  oidc_host         = "token.actions.githubusercontent.com"
  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : var.oidc_provider_arn

  # Role (without prefix) → the `sub` claims it trusts; see the comment above the trust policy.
  trusted_subjects = merge(
    {
      # Pull requests, plus scheduled/dispatched read-only runs on main (drift detection).
      plan       = ["repo:${var.github_repository}:pull_request", "repo:${var.github_repository}:ref:refs/heads/main"]
      image-push = ["repo:${var.github_repository}:ref:refs/heads/main"]
    },
    { for environment in var.environments : "apply-${environment}" => ["repo:${var.github_repository}:environment:${environment}"] },
  )

  state_bucket_arn = "arn:${local.partition}:s3:::${var.state_bucket_name}"
  boundary_arn     = "arn:${local.partition}:iam::${local.account_id}:policy/${var.workload_permissions_boundary_name}"

  # Actions that create a resource and accept tags in the same call (tag-on-create): allowed only
  # when the request tags the new resource with this project and the role's own environment.
  ec2_create_actions = [
    "ec2:AllocateAddress",
    "ec2:CreateFlowLogs",
    "ec2:CreateInternetGateway",
    "ec2:CreateNatGateway",
    "ec2:CreateRouteTable",
    "ec2:CreateSecurityGroup",
    "ec2:CreateSubnet",
    "ec2:CreateVpc",
    "ec2:CreateVpcEndpoint",
  ]

  # What kOps creates in EC2 (it tags everything with KubernetesCluster = <cluster name>).
  kops_ec2_create_actions = [
    "ec2:CreateLaunchTemplate",
    "ec2:CreateSecurityGroup",
    "ec2:CreateVolume",
    "ec2:ImportKeyPair",
    "ec2:RunInstances",
  ]

  # kOps creations outside EC2 that accept tags in the create call.
  kops_create_actions = [
    "autoscaling:CreateAutoScalingGroup",
    "autoscaling:CreateOrUpdateTags",
    "elasticloadbalancing:AddTags",
    "elasticloadbalancing:CreateListener",
    "elasticloadbalancing:CreateLoadBalancer",
    "elasticloadbalancing:CreateTargetGroup",
    "events:PutRule",
    "events:TagResource",
    "sqs:CreateQueue",
    "sqs:TagQueue",
  ]

  kops_describe_actions = [
    "autoscaling:Describe*",
    "elasticloadbalancing:Describe*",
    "events:ListRules",
    "iam:ListInstanceProfiles",
    "iam:ListRoles",
    "route53:ListHostedZones",
    "sqs:ListQueues",
  ]

  # Actions on existing resources: allowed only on resources tagged with the role's environment.
  ec2_change_actions = [
    "ec2:Associate*",
    "ec2:Attach*",
    "ec2:Authorize*",
    "ec2:CreateLaunchTemplateVersion",
    "ec2:CreateRoute",
    "ec2:CreateTags",
    "ec2:Delete*",
    "ec2:Detach*",
    "ec2:Disassociate*",
    "ec2:Modify*",
    "ec2:ReleaseAddress",
    "ec2:Replace*",
    "ec2:Revoke*",
    "ec2:StartInstances",
    "ec2:StopInstances",
    "ec2:TerminateInstances",
    "ec2:UpdateSecurityGroupRuleDescriptions*",
  ]

  # Read-only calls Terraform makes while refreshing; none of them supports resource-level scoping.
  describe_actions = [
    "ec2:Describe*",
    "ec2:GetLaunchTemplateData",
    "ecr:DescribeRepositories",
    "iam:GetOpenIDConnectProvider",
    "iam:ListOpenIDConnectProviders",
    "kms:ListAliases",
    "logs:DescribeLogGroups",
    "rds:DescribeDBClusterParameterGroups",
    "rds:DescribeDBClusterParameters",
    "rds:DescribeDBClusters",
    "rds:DescribeDBEngineVersions",
    "rds:DescribeDBInstances",
    "rds:DescribeDBSubnetGroups",
    "rds:DescribeOrderableDBInstanceOptions",
    "sts:GetCallerIdentity",
  ]
}

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 1 : 0

  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]

  tags = var.tags
}

# --- Trust policies ----------------------------------------------------------------------------
# GitHub's OIDC token carries `aud` (sts.amazonaws.com for the aws credentials action) and `sub`,
# whose default format depends on the job:
#   repo:<owner>/<name>:pull_request               a pull_request-triggered job without environment
#   repo:<owner>/<name>:environment:<environment>  any job that declares `environment:`
#   repo:<owner>/<name>:ref:refs/heads/<branch>    a push-triggered job without environment
# An environment job's `sub` does not contain the branch, so "main only" for the apply roles is
# enforced by the GitHub environment's deployment branch policy (main only) plus required
# reviewers; the role trusts exactly one environment, so a dev job can never assume prod's role.

data "aws_iam_policy_document" "trust" {
  for_each = local.trusted_subjects

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = each.value
    }
  }
}

# --- Plan role: read-only ------------------------------------------------------------------------

data "aws_iam_policy_document" "plan" {
  #checkov:skip=CKV_AWS_356:"*" only for Describe/List calls without resource-level support and for reads conditioned on the project tag
  statement {
    sid       = "DescribeUnscopable"
    actions   = local.describe_actions
    resources = ["*"]
  }

  statement {
    sid       = "ListStateBucket"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [local.state_bucket_arn]
  }

  statement {
    sid     = "ReadState"
    actions = ["s3:GetObject"]
    resources = [
      "${local.state_bucket_arn}/environments/*/terraform.tfstate",
      "${local.state_bucket_arn}/global/terraform.tfstate",
    ]
  }

  # terraform plan takes the state lock (use_lockfile): it writes and removes the .tflock object.
  statement {
    sid     = "StateLock"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [
      "${local.state_bucket_arn}/environments/*/terraform.tfstate.tflock",
      "${local.state_bucket_arn}/global/terraform.tfstate.tflock",
    ]
  }

  statement {
    sid       = "ReadKopsStateStores"
    actions   = ["s3:GetObject", "s3:ListBucket", "s3:GetBucket*", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration", "s3:GetAccelerateConfiguration", "s3:GetReplicationConfiguration"]
    resources = flatten([for name in values(var.kops_state_bucket_names) : ["arn:${local.partition}:s3:::${name}", "arn:${local.partition}:s3:::${name}/*"]])
  }

  statement {
    sid       = "ReadProjectKeysLogsAndSecrets"
    actions   = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "logs:ListTagsForResource", "secretsmanager:DescribeSecret", "rds:ListTagsForResource"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/project"
      values   = [var.project]
    }
  }

  statement {
    sid       = "ReadProjectRoles"
    actions   = ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:GetPolicy", "iam:GetPolicyVersion"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.workload_role_name_prefix}-*", "arn:${local.partition}:iam::${local.account_id}:policy/${var.workload_role_name_prefix}-*"]
  }

  statement {
    sid       = "KopsDescribe"
    actions   = local.kops_describe_actions
    resources = ["*"]
  }

  statement {
    sid     = "ReadKopsInstanceRoles"
    actions = ["iam:GetInstanceProfile", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies"]
    resources = flatten([for environment in var.environments : [
      "arn:${local.partition}:iam::${local.account_id}:role/*.${environment}.*",
      "arn:${local.partition}:iam::${local.account_id}:instance-profile/*.${environment}.*",
    ]])
  }

  statement {
    sid       = "ReadRepositories"
    actions   = ["ecr:GetLifecyclePolicy", "ecr:GetRepositoryPolicy", "ecr:ListTagsForResource", "ecr:DescribeImages"]
    resources = var.ecr_repository_arns
  }
}

# --- Permissions boundary for roles the apply roles create ----------------------------------------
# Without it an apply role could create a role with any policy and assume it (privilege escalation).
# The only roles the environment root creates are the VPC flow-log writer, so that is all it allows.

data "aws_iam_policy_document" "workload_boundary" {
  statement {
    sid       = "FlowLogsWriter"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/movies/*"]
  }
}

resource "aws_iam_policy" "workload_boundary" {
  name        = var.workload_permissions_boundary_name
  description = "Upper bound of every IAM role created by the per-environment apply roles"
  policy      = data.aws_iam_policy_document.workload_boundary.json

  tags = var.tags
}

# --- Apply roles: one per environment ----------------------------------------------------------

data "aws_iam_policy_document" "apply" {
  #checkov:skip=CKV_AWS_356:"*" only for Describe calls without resource-level support and for actions conditioned on request/resource environment tags or ec2:CreateAction
  for_each = toset(var.environments)

  statement {
    sid       = "DescribeUnscopable"
    actions   = local.describe_actions
    resources = ["*"]
  }

  statement {
    sid       = "ListOwnState"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["environments/${each.key}/*"]
    }
  }

  statement {
    sid       = "ReadWriteOwnState"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${local.state_bucket_arn}/environments/${each.key}/terraform.tfstate"]
  }

  statement {
    sid       = "OwnStateLock"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.state_bucket_arn}/environments/${each.key}/terraform.tfstate.tflock"]
  }

  statement {
    sid     = "ManageOwnKopsStateStore"
    actions = ["s3:CreateBucket", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:Get*", "s3:List*", "s3:Put*", "s3:DeleteObject", "s3:DeleteObjectVersion"]
    resources = [
      "arn:${local.partition}:s3:::${var.kops_state_bucket_names[each.key]}",
      "arn:${local.partition}:s3:::${var.kops_state_bucket_names[each.key]}/*",
    ]
  }

  statement {
    sid       = "CreateTaggedNetworkResources"
    actions   = local.ec2_create_actions
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/environment"
      values   = [each.key]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/project"
      values   = [var.project]
    }
  }

  # CreateVpc/CreateSubnet/... only succeed when they may also tag what they create.
  statement {
    sid       = "TagOnCreate"
    actions   = ["ec2:CreateTags"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "ec2:CreateAction"
      values   = [for action in distinct(concat(local.ec2_create_actions, local.kops_ec2_create_actions)) : trimprefix(action, "ec2:")]
    }
  }

  statement {
    sid       = "ChangeOwnNetworkResources"
    actions   = local.ec2_change_actions
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/environment"
      values   = [each.key]
    }
  }

  # The VPC's default security group is created by AWS without tags, so taking it over (revoking
  # its rules, then tagging it) cannot be conditioned on the environment tag. Limited to security
  # groups and to tagging with this environment's tags.
  statement {
    sid       = "AdoptDefaultSecurityGroup"
    actions   = ["ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/*"]
  }

  statement {
    sid       = "TagDefaultSecurityGroup"
    actions   = ["ec2:CreateTags"]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/environment"
      values   = [each.key]
    }
  }

  statement {
    sid       = "CreateTaggedKeysAndDatabases"
    actions   = ["kms:CreateKey", "kms:TagResource", "rds:CreateDBCluster", "rds:CreateDBInstance", "rds:CreateDBSubnetGroup", "rds:CreateDBClusterParameterGroup", "rds:AddTagsToResource"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/environment"
      values   = [each.key]
    }
  }

  statement {
    sid = "ManageOwnKeysAndDatabases"
    actions = [
      "kms:CreateGrant", "kms:DescribeKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus",
      "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource",
      "kms:UpdateKeyDescription", "kms:Decrypt", "kms:GenerateDataKey",
      "rds:AddTagsToResource", "rds:DeleteDBCluster", "rds:DeleteDBClusterParameterGroup", "rds:DeleteDBInstance",
      "rds:DeleteDBSubnetGroup", "rds:ListTagsForResource", "rds:ModifyDBCluster", "rds:ModifyDBClusterParameterGroup",
      "rds:ModifyDBInstance", "rds:ModifyDBSubnetGroup", "rds:RemoveTagsFromResource", "rds:CreateDBInstance",
    ]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/environment"
      values   = [each.key]
    }
  }

  statement {
    sid     = "ManageOwnKeyAliases"
    actions = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
    resources = [
      "arn:${local.partition}:kms:${local.region}:${local.account_id}:alias/movies-kops-state-${local.account_id}-${each.key}",
      "arn:${local.partition}:kms:${local.region}:${local.account_id}:key/*",
    ]
  }

  # DocumentDB creates the master password secret itself (manage_master_user_password) with the
  # caller's permissions; the secret's name is chosen by the service (rds!cluster-<id>).
  statement {
    sid       = "DocumentDbManagedSecret"
    actions   = ["secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:DescribeSecret", "secretsmanager:RotateSecret", "secretsmanager:DeleteSecret"]
    resources = ["arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:rds!cluster-*"]
  }

  statement {
    sid = "ManageOwnLogGroups"
    actions = [
      "logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DisassociateKmsKey",
      "logs:ListTagsForResource", "logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource",
    ]
    resources = [
      "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/movies/movies-${each.key}/*",
      "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/docdb/movies-${each.key}*",
    ]
  }

  statement {
    sid       = "CreateRolesWithinBoundary"
    actions   = ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:DeleteRolePolicy"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.workload_role_name_prefix}-${each.key}-*"]

    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.boundary_arn]
    }
  }

  statement {
    sid = "ManageOwnRoles"
    actions = [
      "iam:DeleteRole", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
      "iam:ListRolePolicies", "iam:TagRole", "iam:UntagRole", "iam:UpdateRoleDescription",
    ]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.workload_role_name_prefix}-${each.key}-*"]
  }

  statement {
    sid       = "PassFlowLogsRole"
    actions   = ["iam:PassRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.workload_role_name_prefix}-${each.key}-*"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["vpc-flow-logs.amazonaws.com"]
    }
  }

  statement {
    sid       = "DocumentDbServiceLinkedRole"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/aws-service-role/rds.amazonaws.com/*"]

    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["rds.amazonaws.com"]
    }
  }

  statement {
    sid       = "NeverLoosenTheBoundary"
    effect    = "Deny"
    actions   = ["iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:SetDefaultPolicyVersion"]
    resources = ["*"]
  }
}

# --- Image push role: main branch only ----------------------------------------------------------

data "aws_iam_policy_document" "image_push" {
  # GetAuthorizationToken is account-wide by design: it returns the registry login, not access.
  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PushToProjectRepositories"
    actions = [
      "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:DescribeImages",
      "ecr:DescribeRepositories", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart",
    ]
    resources = var.ecr_repository_arns
  }
}

# --- The roles ---------------------------------------------------------------------------------

locals {
  # Role (without prefix) → what it is for, its permissions and extra tags. Keys match trusted_subjects.
  roles = merge(
    {
      plan = {
        description = "Read-only Terraform plan for pull requests of ${var.github_repository}"
        policy      = data.aws_iam_policy_document.plan.json
        tags        = {}
      }
      image-push = {
        description = "Push service images to ECR from the main branch of ${var.github_repository}"
        policy      = data.aws_iam_policy_document.image_push.json
        tags        = {}
      }
    },
    {
      for environment in var.environments : "apply-${environment}" => {
        description = "Terraform apply for the ${environment} environment of ${var.github_repository} (GitHub environment ${environment})"
        policy      = data.aws_iam_policy_document.apply[environment].json
        tags        = { environment = environment }
      }
    },
  )
}

resource "aws_iam_role" "github" {
  for_each = local.roles

  name                 = "${var.role_name_prefix}-${each.key}"
  description          = each.value.description
  assume_role_policy   = data.aws_iam_policy_document.trust[each.key].json
  max_session_duration = var.max_session_duration

  tags = merge(var.tags, each.value.tags)
}

resource "aws_iam_role_policy" "github" {
  for_each = local.roles

  name   = each.key
  role   = aws_iam_role.github[each.key].id
  policy = each.value.policy
}

# --- kOps, run by the deploy job with the same apply role --------------------------------------
# kOps tags everything it creates with KubernetesCluster = <cluster name> and names its IAM roles
# <role>.<cluster name>; cluster names start with "<env>." (dev.movies.k8s.local), which is what
# scopes this policy to the role's own environment. A separate managed policy: IAM limits the
# inline policies of a role to 10,240 characters in total.

data "aws_iam_policy_document" "apply_kops" {
  for_each = toset(var.environments)

  statement {
    sid       = "KopsDescribe"
    actions   = local.kops_describe_actions
    resources = ["*"]
  }

  statement {
    sid       = "KopsCreateTagged"
    actions   = concat(local.kops_ec2_create_actions, local.kops_create_actions)
    resources = ["*"]

    condition {
      test     = "StringLike"
      variable = "aws:RequestTag/KubernetesCluster"
      values   = ["${each.key}.*"]
    }
  }

  statement {
    sid       = "KopsChangeTagged"
    actions   = concat(local.ec2_change_actions, ["autoscaling:*", "elasticloadbalancing:*", "sqs:*", "events:*"])
    resources = ["*"]

    condition {
      test     = "StringLike"
      variable = "aws:ResourceTag/KubernetesCluster"
      values   = ["${each.key}.*"]
    }
  }

  # kOps cannot put a permissions boundary on the roles it creates: whoever can apply an
  # environment can give that environment's instances any permission. Documented in the README.
  statement {
    sid = "KopsInstanceRoles"
    actions = [
      "iam:AddRoleToInstanceProfile", "iam:CreateInstanceProfile", "iam:CreateRole", "iam:DeleteInstanceProfile",
      "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:GetInstanceProfile", "iam:GetRole", "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:ListRolePolicies", "iam:PutRolePolicy",
      "iam:RemoveRoleFromInstanceProfile", "iam:TagInstanceProfile", "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy",
    ]
    resources = [
      "arn:${local.partition}:iam::${local.account_id}:role/*.${each.key}.*",
      "arn:${local.partition}:iam::${local.account_id}:instance-profile/*.${each.key}.*",
    ]
  }

  statement {
    sid       = "KopsPassInstanceRoles"
    actions   = ["iam:PassRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/*.${each.key}.*"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ec2.amazonaws.com"]
    }
  }

  statement {
    sid       = "ServiceLinkedRoles"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/aws-service-role/*"]

    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com", "spot.amazonaws.com"]
    }
  }
}

resource "aws_iam_policy" "apply_kops" {
  for_each = toset(var.environments)

  name        = "${var.role_name_prefix}-kops-${each.key}"
  description = "kOps cluster management for the ${each.key} environment"
  policy      = data.aws_iam_policy_document.apply_kops[each.key].json

  tags = merge(var.tags, { environment = each.key })
}

resource "aws_iam_role_policy_attachment" "apply_kops" {
  for_each = toset(var.environments)

  role       = aws_iam_role.github["apply-${each.key}"].name
  policy_arn = aws_iam_policy.apply_kops[each.key].arn
}
