output "repository_urls" {
  description = "Repository URL by service (<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<service>)."
  value       = { for service, repository in aws_ecr_repository.this : service => repository.repository_url }
}

output "repository_arns" {
  description = "Repository ARN by service."
  value       = { for service, repository in aws_ecr_repository.this : service => repository.arn }
}

output "registry" {
  description = "Registry host shared by the repositories (<account>.dkr.ecr.<region>.amazonaws.com)."
  value       = "${data.aws_caller_identity.current.account_id}.dkr.ecr.${data.aws_region.current.region}.amazonaws.com"
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the repositories."
  value       = aws_kms_key.this.arn
}
