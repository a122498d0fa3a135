variable "environment" {
  type        = string
  description = "Environment name (the environments/<name> folder): dev, staging, prod or another lowercase name."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}[a-z0-9]$", var.environment))
    error_message = "environment must be 3-16 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "aws_account_id" {
  type        = string
  description = "AWS account the environment lives in; the provider refuses to run against any other."

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be exactly 12 digits (quote it in YAML so leading zeros survive)."
  }
}

variable "region" {
  type        = string
  description = "AWS region, e.g. eu-west-1."

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like an AWS region name, e.g. eu-west-1 or us-gov-west-1."
  }
}

variable "vpc_cidr" {
  type        = string
  description = "IPv4 CIDR of the environment's VPC, prefix /16 to /20."

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && can(regex("^[0-9.]+/(1[6-9]|20)$", var.vpc_cidr))
    error_message = "vpc_cidr must be a valid IPv4 CIDR with a prefix length between /16 and /20, e.g. 10.10.0.0/16."
  }
}

variable "az_count" {
  type        = number
  description = "Number of availability zones (1 to 5) to spread subnets and, with per-az, NAT gateways over."

  validation {
    condition     = var.az_count >= 1 && var.az_count <= 5 && floor(var.az_count) == var.az_count
    error_message = "az_count must be a whole number from 1 to 5."
  }
}

variable "nat_gateway_mode" {
  type        = string
  description = "single: one shared NAT gateway (cheap; an AZ outage cuts egress); per-az: one per AZ (highly available)."

  validation {
    condition     = contains(["single", "per-az"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode must be \"single\" or \"per-az\"."
  }
}

variable "cluster_name" {
  type        = string
  description = "kOps cluster name, starting with \"<environment>.\" (e.g. dev.movies.k8s.local); used for the kubernetes.io/cluster/<name> tags and to scope the apply role's kOps permissions."

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", var.cluster_name))
    error_message = "cluster_name must be a lowercase DNS name with at least one dot, e.g. dev.movies.k8s.local."
  }

  # The apply role's kOps permissions are scoped to clusters named <environment>.* (Terraform 1.9+
  # lets a validation refer to another variable).
  validation {
    condition     = startswith(var.cluster_name, "${var.environment}.")
    error_message = "cluster_name must start with the environment name and a dot, e.g. dev.movies.k8s.local for dev."
  }
}

variable "enable_flow_logs" {
  type        = bool
  description = "Record VPC flow logs to a KMS-encrypted CloudWatch log group."
}

variable "create_documentdb" {
  type        = bool
  description = "Create a DocumentDB cluster (mongodb.mode = external in env.yaml); needs az_count >= 2."
}

variable "flow_logs_retention_days" {
  type        = number
  description = "Retention of the flow log group in days (only used with enable_flow_logs)."
  default     = 365
}

variable "documentdb_instance_count" {
  type        = number
  description = "DocumentDB instances (only used with create_documentdb), placed round-robin over the zones; env.yaml mongodb.documentdb.instance_count (prod: 2 or more)."
  default     = 1

  validation {
    condition     = var.documentdb_instance_count >= 1 && var.documentdb_instance_count <= 16
    error_message = "documentdb_instance_count must be between 1 and 16."
  }
}

variable "documentdb_instance_class" {
  type        = string
  description = "DocumentDB instance class (env.yaml mongodb.documentdb.instance_class)."
  default     = "db.t4g.medium"

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.documentdb_instance_class))
    error_message = "documentdb_instance_class must be an instance class such as db.t4g.medium."
  }
}

variable "documentdb_deletion_protection" {
  type        = bool
  description = "Refuse to delete the DocumentDB cluster; the teardown path applies false before it destroys."
  default     = true
}
