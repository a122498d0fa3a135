output "oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider the roles trust."
  value       = local.oidc_provider_arn
}

output "plan_role_arn" {
  description = "Read-only role for terraform plan on pull requests (sub repo:<owner>/<name>:pull_request)."
  value       = aws_iam_role.github["plan"].arn
}

output "apply_role_arns" {
  description = "Apply role ARN by environment (sub repo:<owner>/<name>:environment:<env>)."
  value       = { for environment in var.environments : environment => aws_iam_role.github["apply-${environment}"].arn }
}

output "image_push_role_arn" {
  description = "Role that pushes images to the ECR repositories (sub repo:<owner>/<name>:ref:refs/heads/main)."
  value       = aws_iam_role.github["image-push"].arn
}

output "workload_permissions_boundary_arn" {
  description = "Permissions boundary every role created by an apply role must carry."
  value       = aws_iam_policy.workload_boundary.arn
}
