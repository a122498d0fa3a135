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
  value       = split("/", values(aws_ecr_repository.this)[0].repository_url)[0]
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the repositories."
  value       = module.key.key_arn
}
