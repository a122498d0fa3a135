output "vpc_id" {
  description = "ID of the environment's VPC."
  value       = module.network.vpc_id
}

output "vpc_cidr" {
  description = "IPv4 CIDR of the VPC."
  value       = module.network.vpc_cidr
}

output "azs" {
  description = "Availability zones in use, in order."
  value       = module.network.azs
}

output "public_subnet_ids" {
  description = "Public (kOps utility) subnet IDs by availability zone."
  value       = module.network.public_subnet_ids
}

output "private_subnet_ids" {
  description = "Private subnet IDs by availability zone."
  value       = module.network.private_subnet_ids
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs (one, or one per AZ)."
  value       = module.network.nat_gateway_ids
}

output "kops_state_store" {
  description = "kOps state store URL (KOPS_STATE_STORE), s3://<bucket>."
  value       = "s3://${module.kops_state_store.bucket_name}"
}

output "cluster_name" {
  description = "kOps cluster name the network is tagged for."
  value       = var.cluster_name
}

output "region" {
  description = "AWS region of the environment."
  value       = var.region
}

output "documentdb_secret_arn" {
  description = "Secrets Manager ARN of the DocumentDB master credentials, or null when create_documentdb is false."
  value       = one(module.documentdb[*].secret_arn)
}

output "documentdb_endpoint" {
  description = "DocumentDB writer endpoint, or null when create_documentdb is false."
  value       = one(module.documentdb[*].endpoint)
}

output "documentdb_reader_endpoint" {
  description = "DocumentDB reader endpoint, or null when create_documentdb is false."
  value       = one(module.documentdb[*].reader_endpoint)
}

output "documentdb_port" {
  description = "DocumentDB port, or null when create_documentdb is false."
  value       = one(module.documentdb[*].port)
}

output "documentdb_client_security_group_id" {
  description = "Security group kOps attaches to the node instance groups so they reach DocumentDB, or null."
  value       = one(module.documentdb[*].client_security_group_id)
}

output "kops_permissions_boundary_arn" {
  description = "Permissions boundary of every IAM role kOps creates for this cluster (spec.iam.permissionsBoundary)."
  value       = local.kops_permissions_boundary_arn
}

output "ebs_kms_key_arn" {
  description = "KMS key of the cluster's EBS volumes (instance groups' root volumes, etcd volumes)."
  value       = module.ebs_key.key_arn
}

output "app_secret_names" {
  description = "Secrets Manager names of the application's secrets (values written once by the secrets action)."
  value       = module.app_secrets.secret_names
}

output "app_secrets_kms_key_arn" {
  description = "KMS key that encrypts the application's secrets."
  value       = module.app_secrets.kms_key_arn
}
