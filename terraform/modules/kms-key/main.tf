data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id
}

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:A KMS key policy's "*" resource is the key itself; the root statement is the default key policy that delegates to IAM
  #checkov:skip=CKV_AWS_111:A KMS key policy's "*" resource is the key itself; service use is conditioned on the caller account and service
  #checkov:skip=CKV_AWS_356:A KMS key policy's "*" resource is the key itself, not every resource

  # The default key policy: the account administers the key through IAM.
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"]
    }
  }

  # Readers and writers need no KMS permission of their own, and the key cannot be used directly.
  dynamic "statement" {
    for_each = length(var.use_through_services) > 0 ? [1] : []

    content {
      sid       = "UseThroughServicesByThisAccount"
      actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant", "kms:RetireGrant"]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = ["*"]
      }

      condition {
        test     = "StringEquals"
        variable = "kms:CallerAccount"
        values   = [local.account_id]
      }

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = [for service in var.use_through_services : "${service}.${local.region}.amazonaws.com"]
      }
    }
  }

  # Auto Scaling launches instances with encrypted volumes under its service-linked role, which
  # therefore uses the key itself (and a grant for the instance's lifetime), not "via EC2". Named
  # by a condition rather than as principal: a key policy may not name a role that does not exist
  # yet, and the service creates its role with the first Auto Scaling group.
  dynamic "statement" {
    for_each = length(var.service_linked_role_names) > 0 ? [1] : []

    content {
      sid       = "ServiceLinkedRoles"
      actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = ["*"]
      }

      condition {
        test     = "ArnEquals"
        variable = "aws:PrincipalArn"
        values   = [for name in var.service_linked_role_names : "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:role/aws-service-role/${name}"]
      }

      condition {
        test     = "StringEquals"
        variable = "kms:CallerAccount"
        values   = [local.account_id]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.cloudwatch_log_group_arn_patterns) > 0 ? [1] : []

    content {
      sid       = "CloudWatchLogsForTheseLogGroups"
      actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = ["logs.${local.region}.amazonaws.com"]
      }

      condition {
        test     = "ArnLike"
        variable = "kms:EncryptionContext:aws:logs:arn"
        values   = var.cloudwatch_log_group_arn_patterns
      }
    }
  }
}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  count = var.alias == null ? 0 : 1

  name          = "alias/${var.alias}"
  target_key_id = aws_kms_key.this.key_id
}
