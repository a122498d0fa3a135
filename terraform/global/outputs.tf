output "ecr_repository_urls" {
  description = "ECR repository URL by service."
  value       = module.ecr.repository_urls
}

output "ecr_registry" {
  description = "ECR registry host (<account>.dkr.ecr.<region>.amazonaws.com)."
  value       = module.ecr.registry
}

output "plan_role_arn" {
  description = "Read-only role assumed by terraform plan on pull requests."
  value       = module.github_oidc.plan_role_arn
}

output "apply_role_arns" {
  description = "Apply role ARN by environment, assumed by jobs running in that GitHub environment."
  value       = module.github_oidc.apply_role_arns
}

output "image_push_role_arn" {
  description = "Role assumed by the image build job on main to push to ECR."
  value       = module.github_oidc.image_push_role_arn
}
