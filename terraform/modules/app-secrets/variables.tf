variable "name" {
  type        = string
  description = "Name prefix of the key, e.g. movies-dev."
}

variable "environment" {
  type        = string
  description = "Environment the secrets belong to; they are named movies/<environment>/<secret>."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}[a-z0-9]$", var.environment))
    error_message = "environment must be 3-16 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "in_cluster_mongodb" {
  type        = bool
  description = "The chart runs MongoDB (mongodb.mode in-cluster): also keep its root credentials."
  default     = false
}

variable "recovery_window_days" {
  type        = number
  description = "Days a deleted secret can still be restored (0 deletes at once)."
  default     = 7

  validation {
    condition     = var.recovery_window_days == 0 || (var.recovery_window_days >= 7 && var.recovery_window_days <= 30)
    error_message = "recovery_window_days must be 0 or between 7 and 30 (Secrets Manager's limits)."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags for every resource (the provider's default tags are added on top)."
  default     = {}
}
