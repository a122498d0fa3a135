variable "github_repository" {
  type        = string
  description = "The repository whose workflows may assume the roles, as owner/name."

  validation {
    condition     = can(regex("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "github_repository must be owner/name, e.g. octo-org/movies."
  }
}

variable "environments" {
  type        = list(string)
  description = "GitHub environments (= deployment environments) that get an apply role."

  validation {
    condition     = length(var.environments) > 0 && alltrue([for environment in var.environments : can(regex("^[a-z][a-z0-9-]{1,14}[a-z0-9]$", environment))])
    error_message = "environments must be a non-empty list of names of 3-16 lowercase letters, digits and hyphens."
  }
}

variable "project" {
  type        = string
  description = "Value of the project tag every managed resource carries; the apply roles may only create and change resources tagged with it."
  default     = "movies"
}

variable "role_name_prefix" {
  type        = string
  description = "Prefix of the IAM role and policy names created here: <prefix>-plan-<env>, <prefix>-apply-<env>, <prefix>-image-push, <prefix>-kops-boundary-<env>."
  default     = "movies"
}

variable "cluster_names" {
  type        = map(string)
  description = "kOps cluster name by environment (env.yaml cluster.name); null means <env>.movies.k8s.local. The apply and plan roles reach only their own cluster's roles, tags and state files."
  default     = null

  validation {
    condition     = var.cluster_names == null || alltrue([for environment, name in coalesce(var.cluster_names, {}) : startswith(name, "${environment}.")])
    error_message = "cluster_names: every cluster name must start with its environment name and a dot, e.g. dev.movies.k8s.local."
  }
}

variable "plan_workflows" {
  type = list(object({
    file    = string
    context = string
    ref     = string
  }))
  description = "Workflow files whose jobs may assume the plan roles, with the sub context (pull_request, ref:refs/heads/main) and the job_workflow_ref ref they run at (refs/pull/*/merge, refs/heads/main)."
  default = [
    { file = "plan.yml", context = "pull_request", ref = "refs/pull/*/merge" },
    { file = "promote.yml", context = "pull_request", ref = "refs/pull/*/merge" },
    { file = "drift.yml", context = "ref:refs/heads/main", ref = "refs/heads/main" },
  ]

  validation {
    condition     = alltrue([for workflow in var.plan_workflows : can(regex("^[A-Za-z0-9._-]+\\.ya?ml$", workflow.file))])
    error_message = "plan_workflows: file must be a workflow file name under .github/workflows, e.g. plan.yml."
  }
}

variable "apply_workflows" {
  type        = list(string)
  description = "Workflow files (on main) whose jobs in GitHub environment <env> may assume apply-<env>."
  default     = ["deploy-environment.yml", "teardown.yml"]
}

variable "image_push_workflows" {
  type        = list(string)
  description = "Workflow files (on main) whose jobs may assume the image-push role."
  default     = ["ci.yml"]
}

variable "create_oidc_provider" {
  type        = bool
  description = "Create the token.actions.githubusercontent.com OIDC provider. An account holds at most one per URL: set false and pass oidc_provider_arn when it already exists."
  default     = true
}

variable "oidc_provider_arn" {
  type        = string
  description = "ARN of an existing GitHub OIDC provider, used when create_oidc_provider is false."
  default     = null
}

variable "state_bucket_name" {
  type        = string
  description = "Terraform state bucket (from terraform/bootstrap)."
}

variable "kops_state_bucket_names" {
  type        = map(string)
  description = "kOps state bucket name by environment (created by terraform/environment)."
}

variable "workload_role_name_prefix" {
  type        = string
  description = "Name prefix of roles an environment's Terraform may create (followed by the environment name): movies-<env>-*."
  default     = "movies"
}

variable "workload_permissions_boundary_name" {
  type        = string
  description = "Name of the permissions boundary policy every role created by an apply role must carry."
  default     = "movies-workload-boundary"
}

variable "max_session_duration" {
  type        = number
  description = "Maximum session length of the roles, in seconds (3600 to 43200)."
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration must be between 3600 and 43200 seconds."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags for every resource (the provider's default tags are added on top)."
  default     = {}
}
