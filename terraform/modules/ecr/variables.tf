variable "repository_prefix" {
  type        = string
  description = "Namespace of the repositories: each is named <repository_prefix>/<service>."
  default     = "movies"

  validation {
    condition     = can(regex("^[a-z0-9]+([._-][a-z0-9]+)*$", var.repository_prefix))
    error_message = "repository_prefix must be lowercase letters and digits, optionally separated by single '.', '_' or '-'."
  }
}

variable "services" {
  type        = list(string)
  description = "Services that get a repository."

  validation {
    condition     = length(var.services) > 0 && alltrue([for service in var.services : can(regex("^[a-z][a-z0-9-]*[a-z0-9]$", service))])
    error_message = "services must be a non-empty list of lowercase names (letters, digits, hyphens)."
  }

  validation {
    condition     = length(distinct(var.services)) == length(var.services)
    error_message = "services must not contain duplicates."
  }
}

variable "untagged_image_expiry_days" {
  type        = number
  description = "Untagged images (left behind by failed or superseded pushes) expire this many days after they were pushed."
  default     = 7

  validation {
    condition     = var.untagged_image_expiry_days >= 1 && var.untagged_image_expiry_days <= 365
    error_message = "untagged_image_expiry_days must be between 1 and 365."
  }
}

variable "tagged_images_to_keep" {
  type        = number
  description = "Newest images kept per repository among those never released; older unreleased ones expire (released images never do)."
  default     = 50

  validation {
    condition     = var.tagged_images_to_keep >= 10 && var.tagged_images_to_keep <= 1000
    error_message = "tagged_images_to_keep must be between 10 and 1000 (fewer risks expiring an image an environment still runs)."
  }
}

variable "released_tag_prefix" {
  type        = string
  description = "Tag prefix of released images: deploying an environment tags each image it pins <prefix><commit sha>, and the lifecycle policy never expires those."
  default     = "released-"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*-$", var.released_tag_prefix))
    error_message = "released_tag_prefix must be lowercase letters, digits and '-', ending with '-' (e.g. released-)."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags for every resource (the provider's default tags are added on top)."
  default     = {}
}
