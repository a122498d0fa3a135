output "ecr_repository_urls" {
  description = "ECR repository URL by service."
  value       = module.ecr.repository_urls
}

output "ecr_registry" {
  description = "ECR registry host (<account>.dkr.ecr.<region>.amazonaws.com)."
  value       = module.ecr.registry
}

output "plan_role_arns" {
  description = "Read-only plan role ARN by environment (plan, promote and drift workflows)."
  value       = module.github_oidc.plan_role_arns
}

output "oidc_subject_claims" {
  description = "The sub claims each role trusts; the repository's OIDC subject template must produce them (see modules/github-oidc/README.md)."
  value       = module.github_oidc.oidc_subject_claims
}

output "apply_role_arns" {
  description = "Apply role ARN by environment, assumed by jobs running in that GitHub environment."
  value       = module.github_oidc.apply_role_arns
}

output "image_push_role_arn" {
  description = "Role assumed by the image build job on main to push to ECR."
  value       = module.github_oidc.image_push_role_arn
}
