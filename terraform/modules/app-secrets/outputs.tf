output "secret_names" {
  description = "Secret name by purpose (jwt, mongodb-users, and mongodb-root with an in-cluster MongoDB)."
  value       = { for purpose, secret in aws_secretsmanager_secret.this : purpose => secret.name }
}

output "secret_arns" {
  description = "Secret ARN by purpose."
  value       = { for purpose, secret in aws_secretsmanager_secret.this : purpose => secret.arn }
}

output "kms_key_arn" {
  description = "KMS key that encrypts the secrets."
  value       = module.key.key_arn
}
