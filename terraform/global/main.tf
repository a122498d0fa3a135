locals {
  state_bucket_name = coalesce(var.state_bucket_name, "movies-tfstate-${var.aws_account_id}")

  # Same convention as terraform/environment (local.kops_state_bucket_name).
  kops_state_bucket_names = { for environment in var.environments : environment => "movies-kops-state-${var.aws_account_id}-${environment}" }
}

# One set of repositories for every environment: an image is built once per commit and promoted
# by its sha/digest, never rebuilt per environment.
module "ecr" {
  source = "../modules/ecr"

  repository_prefix = "movies"
  services          = var.services
}

module "github_oidc" {
  source = "../modules/github-oidc"

  github_repository       = var.github_repository
  environments            = var.environments
  create_oidc_provider    = var.create_oidc_provider
  oidc_provider_arn       = var.oidc_provider_arn
  state_bucket_name       = local.state_bucket_name
  kops_state_bucket_names = local.kops_state_bucket_names
  cluster_names           = var.cluster_names
}
