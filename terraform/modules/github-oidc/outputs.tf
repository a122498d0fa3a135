output "oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider the roles trust."
  value       = local.oidc_provider_arn
}

output "plan_role_arns" {
  description = "Read-only plan role ARN by environment (assumed by the plan, promote and drift workflows)."
  value       = { for environment in var.environments : environment => aws_iam_role.github["plan-${environment}"].arn }
}

output "apply_role_arns" {
  description = "Apply role ARN by environment (assumed by deploy and teardown jobs in GitHub environment <env>)."
  value       = { for environment in var.environments : environment => aws_iam_role.github["apply-${environment}"].arn }
}

output "image_push_role_arn" {
  description = "Role that pushes images to the ECR repositories (ci.yml on main)."
  value       = aws_iam_role.github["image-push"].arn
}

output "workload_permissions_boundary_arn" {
  description = "Permissions boundary every role Terraform creates with an apply role must carry."
  value       = aws_iam_policy.workload_boundary.arn
}

output "kops_permissions_boundary_arns" {
  description = "Permissions boundary of each environment's kOps roles (spec.iam.permissionsBoundary), by environment."
  value       = { for environment in var.environments : environment => aws_iam_policy.kops_boundary[environment].arn }
}

output "oidc_subject_claims" {
  description = "The job_workflow_ref-based sub claims each role trusts (the repository's OIDC subject template must include repo, context and job_workflow_ref)."
  value       = { for name, role in local.roles : name => role.subjects }
}
