output "endpoint" {
  description = "Writer endpoint of the cluster (connect with tls=true and the Amazon RDS CA bundle)."
  value       = aws_docdb_cluster.this.endpoint
}

output "reader_endpoint" {
  description = "Load-balanced read-only endpoint."
  value       = aws_docdb_cluster.this.reader_endpoint
}

output "port" {
  description = "Port the cluster listens on."
  value       = aws_docdb_cluster.this.port
}

output "secret_arn" {
  description = "ARN of the Secrets Manager secret (managed by DocumentDB) holding the master username and password."
  value       = aws_docdb_cluster.this.master_user_secret[0].secret_arn
}

output "security_group_id" {
  description = "Security group of the cluster."
  value       = aws_security_group.this.id
}

output "client_security_group_id" {
  description = "Security group whose members may connect (attach it to the clients: kOps node instance groups)."
  value       = aws_security_group.clients.id
}

output "cluster_arn" {
  description = "ARN of the cluster."
  value       = aws_docdb_cluster.this.arn
}
