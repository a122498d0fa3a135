# The application's secrets in Secrets Manager, without values: Terraform never sees a secret
# (its state and plans stay free of them). The secrets action (actions/secrets) generates each
# value once and syncs them into the cluster; see README.md.
module "key" {
  source = "../kms-key"

  description          = "${var.name} application secrets"
  alias                = "${var.name}-secrets"
  use_through_services = ["secretsmanager"]

  tags = merge(var.tags, { Name = "${var.name}-secrets" })
}

locals {
  secrets = merge(
    {
      jwt           = "JWT signing keys of auth: the current and the next RS256 private key"
      mongodb-users = "Database users of auth and data (username and password of each)"
    },
    var.in_cluster_mongodb ? { mongodb-root = "Root user of the in-cluster MongoDB" } : {},
  )
}

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:rotation is the secrets action's job (rotate-jwt moves next to current); DocumentDB users are re-keyed by it too
  for_each = local.secrets

  name                    = "movies/${var.environment}/${each.key}"
  description             = each.value
  kms_key_id              = module.key.key_arn
  recovery_window_in_days = var.recovery_window_days

  tags = var.tags
}
