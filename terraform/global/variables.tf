variable "aws_account_id" {
  type        = string
  description = "AWS account holding the registry and the roles; the provider refuses to run against any other."

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be exactly 12 digits."
  }
}

variable "region" {
  type        = string
  description = "AWS region of the ECR registry (the environments' region)."

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like an AWS region name, e.g. eu-west-1."
  }
}

variable "github_repository" {
  type        = string
  description = "GitHub repository (owner/name) whose workflows assume the roles."

  validation {
    condition     = can(regex("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "github_repository must be owner/name, e.g. octo-org/movies."
  }
}

variable "environments" {
  type        = list(string)
  description = "Environments that get an apply role, e.g. [\"dev\", \"staging\", \"prod\"]."

  validation {
    condition     = length(var.environments) > 0 && alltrue([for environment in var.environments : can(regex("^[a-z][a-z0-9-]{1,14}[a-z0-9]$", environment))])
    error_message = "environments must be a non-empty list of names of 3-16 lowercase letters, digits and hyphens."
  }

  validation {
    condition     = length(distinct(var.environments)) == length(var.environments)
    error_message = "environments must not contain duplicates."
  }
}

variable "services" {
  type        = list(string)
  description = "Services that get an ECR repository movies/<service>."
  default     = ["auth", "data", "recommendation", "web"]
}

variable "state_bucket_name" {
  type        = string
  description = "Terraform state bucket created by terraform/bootstrap; null means the bootstrap default movies-tfstate-<account id>."
  default     = null
}

variable "create_oidc_provider" {
  type        = bool
  description = "Create the GitHub OIDC provider; false when the account already has one (pass its ARN in oidc_provider_arn)."
  default     = true
}

variable "oidc_provider_arn" {
  type        = string
  description = "Existing GitHub OIDC provider ARN, used when create_oidc_provider is false."
  default     = null
}

variable "cluster_names" {
  type        = map(string)
  description = "kOps cluster name by environment (cluster.name of each env.yaml); null means <env>.movies.k8s.local."
  default     = null
}
