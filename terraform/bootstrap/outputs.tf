output "state_bucket_name" {
  description = "Terraform state bucket: put it in environments/<env>/env.yaml as terraform.state_bucket."
  value       = module.state_bucket.bucket_name
}

output "state_bucket_arn" {
  description = "ARN of the Terraform state bucket."
  value       = module.state_bucket.bucket_arn
}

output "state_bucket_kms_key_arn" {
  description = "KMS key encrypting the state bucket by default."
  value       = module.state_bucket.kms_key_arn
}
