variable "aws_account_id" {
  type        = string
  description = "AWS account that holds the Terraform state; the provider refuses to run against any other."

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be exactly 12 digits."
  }
}

variable "region" {
  type        = string
  description = "Region of the state bucket (the environments' region)."

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like an AWS region name, e.g. eu-west-1."
  }
}

variable "state_bucket_name" {
  type        = string
  description = "Name of the Terraform state bucket; null means movies-tfstate-<account id> (what env.yaml terraform.state_bucket names)."
  default     = null
}
