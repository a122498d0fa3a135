variable "bucket_name" {
  type        = string
  description = "Name of the S3 bucket (globally unique, 3-63 lowercase characters)."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("--", var.bucket_name))
    error_message = "bucket_name must be 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit."
  }
}

variable "purpose" {
  type        = string
  description = "What the bucket holds, for the KMS key description and the Purpose tag (e.g. terraform-state, kops-state)."
}

variable "noncurrent_version_retention_days" {
  type        = number
  description = "Days a replaced or deleted object version is kept before it expires (the window in which a bad state write can be rolled back)."
  default     = 90

  validation {
    condition     = var.noncurrent_version_retention_days >= 7 && var.noncurrent_version_retention_days <= 3650
    error_message = "noncurrent_version_retention_days must be between 7 and 3650."
  }
}

variable "noncurrent_versions_to_keep" {
  type        = number
  description = "Newest noncurrent versions kept regardless of age."
  default     = 10

  validation {
    condition     = var.noncurrent_versions_to_keep >= 1 && var.noncurrent_versions_to_keep <= 100
    error_message = "noncurrent_versions_to_keep must be between 1 and 100."
  }
}

variable "force_destroy" {
  type        = bool
  description = "Allow terraform destroy to delete a non-empty bucket. Keep false outside throw-away environments."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Extra tags for every resource (the provider's default tags are added on top)."
  default     = {}
}
