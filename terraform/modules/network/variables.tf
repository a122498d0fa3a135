variable "name" {
  type        = string
  description = "Prefix for the Name tag of every resource, e.g. movies-dev."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "cluster_name" {
  type        = string
  description = "kOps cluster name; tags the VPC and subnets with kubernetes.io/cluster/<cluster_name> = shared."

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", var.cluster_name))
    error_message = "cluster_name must be a lowercase DNS name with at least one dot, e.g. dev.movies.k8s.local."
  }
}

variable "vpc_cidr" {
  type        = string
  description = "IPv4 CIDR of the VPC, prefix /16 to /20. Private subnets take the first sixteenths, public subnets share the last sixteenth."

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && can(regex("/(1[6-9]|20)$", var.vpc_cidr))
    error_message = "vpc_cidr must be a valid IPv4 CIDR with a prefix length between /16 and /20, e.g. 10.10.0.0/16."
  }
}

variable "az_count" {
  type        = number
  description = "Number of availability zones to spread subnets over (1 to 5), taken in order from the region's available zones."

  validation {
    condition     = var.az_count >= 1 && var.az_count <= 5 && floor(var.az_count) == var.az_count
    error_message = "az_count must be a whole number from 1 to 5."
  }
}

variable "nat_gateway_mode" {
  type        = string
  description = "single: one NAT gateway shared by all private subnets (cheap, an AZ failure takes out egress); per-az: one NAT gateway per AZ (highly available, costs one gateway per AZ)."

  validation {
    condition     = contains(["single", "per-az"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode must be \"single\" or \"per-az\"."
  }
}

variable "enable_flow_logs" {
  type        = bool
  description = "Record VPC flow logs (all traffic) to the destination chosen by flow_logs_destination_type."
  default     = false
}

variable "flow_logs_destination_type" {
  type        = string
  description = "Where flow logs go: cloud-watch-logs (a KMS-encrypted log group created here) or s3 (an existing bucket, flow_logs_s3_bucket_arn)."
  default     = "cloud-watch-logs"

  validation {
    condition     = contains(["cloud-watch-logs", "s3"], var.flow_logs_destination_type)
    error_message = "flow_logs_destination_type must be \"cloud-watch-logs\" or \"s3\"."
  }
}

variable "flow_logs_retention_days" {
  type        = number
  description = "Retention of the flow log CloudWatch log group, in days (a value CloudWatch accepts)."
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_logs_retention_days)
    error_message = "flow_logs_retention_days must be one of the retention periods CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "flow_logs_s3_bucket_arn" {
  type        = string
  description = "ARN of an existing S3 bucket for flow logs; required when flow_logs_destination_type is s3."
  default     = null
}

variable "iam_permissions_boundary_arn" {
  type        = string
  description = "Permissions boundary for the flow-log IAM role (the apply roles may only create roles that carry it); null for none."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Extra tags for every resource (the provider's default tags are added on top)."
  default     = {}
}
