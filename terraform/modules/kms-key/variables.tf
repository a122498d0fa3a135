variable "description" {
  type        = string
  description = "What the key encrypts (shown in the KMS console)."
}

variable "alias" {
  type        = string
  description = "Alias name without the alias/ prefix, or null for no alias."
  default     = null

  validation {
    condition     = var.alias == null || can(regex("^[A-Za-z0-9/_-]{1,250}$", var.alias))
    error_message = "alias must be letters, digits, '/', '_' or '-' (without the alias/ prefix)."
  }
}

variable "use_through_services" {
  type        = list(string)
  description = "AWS services (endpoint prefixes such as s3 or ecr) through which any principal of this account may use the key; IAM and the service's own resource policies then decide who reads what."
  default     = []

  validation {
    condition     = alltrue([for service in var.use_through_services : can(regex("^[a-z0-9-]+$", service))])
    error_message = "use_through_services must be service endpoint prefixes such as s3, ecr or secretsmanager."
  }
}

variable "cloudwatch_log_group_arn_patterns" {
  type        = list(string)
  description = "Log group ARNs (wildcards allowed) CloudWatch Logs may encrypt with this key."
  default     = []
}

variable "service_linked_role_names" {
  type        = list(string)
  description = "Service-linked roles (path and name under aws-service-role/, e.g. autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling) that use the key directly."
  default     = []

  validation {
    condition     = alltrue([for name in var.service_linked_role_names : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com/AWSServiceRoleFor[A-Za-z0-9]+$", name))])
    error_message = "service_linked_role_names must look like autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags for the key (the provider's default tags are added on top)."
  default     = {}
}
