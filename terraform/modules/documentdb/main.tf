data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  mongodb_port = 27017
}

module "key" {
  source = "../kms-key"

  description                       = "${var.name} DocumentDB storage and logs"
  cloudwatch_log_group_arn_patterns = ["arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:log-group:/aws/docdb/${var.name}/*"]

  tags = merge(var.tags, { Name = "${var.name}-docdb" })
}

resource "aws_docdb_subnet_group" "this" {
  name       = "${var.name}-docdb"
  subnet_ids = var.subnet_ids

  tags = var.tags
}

resource "aws_security_group" "this" {
  name        = "${var.name}-docdb"
  description = "DocumentDB: MongoDB port from members of the clients group only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-docdb" })
}

# Membership only, no rules of its own: kOps attaches it to the node instance groups
# (additionalSecurityGroups), so exactly the cluster's nodes reach the database, not the whole
# private subnets.
resource "aws_security_group" "clients" {
  #checkov:skip=CKV2_AWS_5:attached by kOps to the node instance groups (spec.additionalSecurityGroups), outside Terraform
  name        = "${var.name}-docdb-clients"
  description = "Members may connect to the ${var.name} DocumentDB cluster"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-docdb-clients" })
}

resource "aws_vpc_security_group_ingress_rule" "mongodb" {
  security_group_id            = aws_security_group.this.id
  description                  = "MongoDB from the cluster nodes (members of ${var.name}-docdb-clients)"
  ip_protocol                  = "tcp"
  from_port                    = local.mongodb_port
  to_port                      = local.mongodb_port
  referenced_security_group_id = aws_security_group.clients.id

  tags = var.tags
}

resource "aws_docdb_cluster_parameter_group" "this" {
  name        = "${var.name}-docdb"
  family      = "docdb${join(".", slice(split(".", var.engine_version), 0, 2))}"
  description = "${var.name}: TLS required, audit logging on"

  parameter {
    name  = "tls"
    value = "enabled"
  }

  parameter {
    name  = "audit_logs"
    value = "enabled"
  }

  tags = var.tags
}

# The log groups exist before the cluster writes to them so that retention and encryption apply.
resource "aws_cloudwatch_log_group" "this" {
  for_each = toset(["audit", "profiler"])

  name              = "/aws/docdb/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = module.key.key_arn

  tags = var.tags
}

resource "aws_docdb_cluster" "this" {
  cluster_identifier              = var.name
  engine                          = "docdb"
  engine_version                  = var.engine_version
  port                            = local.mongodb_port
  db_subnet_group_name            = aws_docdb_subnet_group.this.name
  vpc_security_group_ids          = [aws_security_group.this.id]
  db_cluster_parameter_group_name = aws_docdb_cluster_parameter_group.this.name

  master_username             = var.master_username
  manage_master_user_password = true

  storage_encrypted = true
  kms_key_id        = module.key.key_arn

  backup_retention_period      = var.backup_retention_days
  preferred_backup_window      = "02:00-03:00"
  preferred_maintenance_window = "sun:03:30-sun:04:30"
  deletion_protection          = var.deletion_protection
  skip_final_snapshot          = false
  # Unique per cluster: a second teardown (after the environment was created again) must not
  # collide with the first one's snapshot. Fixed at creation, so plans never show it changing.
  final_snapshot_identifier = "${var.name}-final-${formatdate("YYYYMMDDhhmmss", timestamp())}"

  enabled_cloudwatch_logs_exports = ["audit", "profiler"]

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.this]

  lifecycle {
    ignore_changes = [final_snapshot_identifier]
  }
}

resource "aws_docdb_cluster_instance" "this" {
  count = var.instance_count

  identifier         = "${var.name}-${count.index + 1}"
  cluster_identifier = aws_docdb_cluster.this.id
  # Round-robin over the zones: with two or more instances the cluster survives an AZ outage.
  availability_zone          = var.availability_zones[count.index % length(var.availability_zones)]
  instance_class             = var.instance_class
  auto_minor_version_upgrade = true

  tags = var.tags
}
