data "aws_partition" "current" {}

locals {
  name = "movies-${var.environment}"

  # The naming convention terraform/global relies on to scope each apply role to its own bucket.
  kops_state_bucket_name = "movies-kops-state-${var.aws_account_id}-${var.environment}"

  # Created by terraform/global (modules/github-oidc); roles created here must carry it.
  workload_permissions_boundary_arn = "arn:${data.aws_partition.current.partition}:iam::${var.aws_account_id}:policy/movies-workload-boundary"
}

module "network" {
  source = "../modules/network"

  name                         = local.name
  cluster_name                 = var.cluster_name
  vpc_cidr                     = var.vpc_cidr
  az_count                     = var.az_count
  nat_gateway_mode             = var.nat_gateway_mode
  enable_flow_logs             = var.enable_flow_logs
  flow_logs_retention_days     = var.flow_logs_retention_days
  iam_permissions_boundary_arn = local.workload_permissions_boundary_arn
}

module "kops_state_store" {
  source = "../modules/state-store"

  bucket_name = local.kops_state_bucket_name
  purpose     = "kops-state"
}

module "documentdb" {
  source = "../modules/documentdb"
  count  = var.create_documentdb ? 1 : 0

  name                = local.name
  vpc_id              = module.network.vpc_id
  subnet_ids          = values(module.network.private_subnet_ids)
  allowed_cidr_blocks = values(module.network.private_subnet_cidrs)
  instance_count      = var.documentdb_instance_count
}
