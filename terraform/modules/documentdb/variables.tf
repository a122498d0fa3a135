variable "name" {
  type        = string
  description = "Cluster identifier and name prefix, e.g. movies-dev."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,50}[a-z0-9]$", var.name)) && !can(regex("--", var.name))
    error_message = "name must start with a letter and contain only lowercase letters, digits and single hyphens (DocumentDB identifier rules)."
  }
}

variable "vpc_id" {
  type        = string
  description = "VPC the cluster's security group belongs to."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets for the cluster instances (at least two AZs are required by DocumentDB subnet groups)."

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids needs subnets in at least two availability zones (DocumentDB requirement): use az_count >= 2."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Zones of the subnets, in order; instance i is placed in zone i modulo their number."

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "availability_zones needs at least two zones (DocumentDB requirement): use az_count >= 2."
  }
}

variable "instance_class" {
  type        = string
  description = "Instance class of the cluster instances."
  default     = "db.t4g.medium"
}

variable "instance_count" {
  type        = number
  description = "Number of instances (1 writer plus replicas); use at least 2 for a highly available environment."
  default     = 1

  validation {
    condition     = var.instance_count >= 1 && var.instance_count <= 16
    error_message = "instance_count must be between 1 and 16."
  }
}

variable "engine_version" {
  type        = string
  description = "DocumentDB engine version (MongoDB API compatibility)."
  default     = "5.0.0"
}

variable "master_username" {
  type        = string
  description = "Name of the master user; its password is generated and kept in Secrets Manager by DocumentDB."
  default     = "movies_admin"
}

variable "backup_retention_days" {
  type        = number
  description = "Days automated backups are kept."
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 1 and 35."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the cluster until this is turned off (the teardown path applies false before it destroys)."
  default     = true
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the audit and profiler log groups, in days."
  default     = 365
}

variable "tags" {
  type        = map(string)
  description = "Extra tags for every resource (the provider's default tags are added on top)."
  default     = {}
}
