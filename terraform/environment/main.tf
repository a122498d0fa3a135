data "aws_partition" "current" {}

locals {
  name = "movies-${var.environment}"

  # The naming convention terraform/global relies on to scope each apply role to its own bucket.
  kops_state_bucket_name = "movies-kops-state-${var.aws_account_id}-${var.environment}"

  # Created by terraform/global (modules/github-oidc); roles created here must carry the first,
  # roles kOps creates for this environment's cluster the second.
  workload_permissions_boundary_arn = "arn:${data.aws_partition.current.partition}:iam::${var.aws_account_id}:policy/movies-workload-boundary"
  kops_permissions_boundary_arn     = "arn:${data.aws_partition.current.partition}:iam::${var.aws_account_id}:policy/movies-kops-boundary-${var.environment}"
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
  # kOps deletes the cluster's objects but a versioned bucket keeps every old version: without
  # this the teardown's terraform destroy could never delete the bucket.
  force_destroy = true
}

# EBS volumes of the cluster (root volumes and etcd) use the environment's key, not the account's
# default EBS key. EC2 uses it on behalf of the apply role (etcd volumes) and Auto Scaling's
# service-linked role (instances it launches).
module "ebs_key" {
  source = "../modules/kms-key"

  description               = "${local.name} EBS volumes of the kOps cluster"
  alias                     = "${local.name}-ebs"
  use_through_services      = ["ec2"]
  service_linked_role_names = ["autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"]

  tags = { Name = "${local.name}-ebs" }
}

module "documentdb" {
  source = "../modules/documentdb"
  count  = var.create_documentdb ? 1 : 0

  name                = local.name
  vpc_id              = module.network.vpc_id
  subnet_ids          = [for az in module.network.azs : module.network.private_subnet_ids[az]]
  availability_zones  = module.network.azs
  instance_count      = var.documentdb_instance_count
  instance_class      = var.documentdb_instance_class
  deletion_protection = var.documentdb_deletion_protection
}

module "app_secrets" {
  source = "../modules/app-secrets"

  name               = local.name
  environment        = var.environment
  in_cluster_mongodb = !var.create_documentdb
}
