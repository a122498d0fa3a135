terraform {
  # Same floor as the other roots (they need 1.10+ for S3 native state locking).
  required_version = ">= 1.10.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.14"
    }
  }
}
