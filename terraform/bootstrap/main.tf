# Local state on purpose: this root creates the bucket every other root keeps its state in, so it
# cannot use that bucket itself. Its state holds no secrets; keep terraform.tfstate out of git
# (see README.md for the one-time steps).
module "state_bucket" {
  source = "../modules/state-store"

  bucket_name = coalesce(var.state_bucket_name, "movies-tfstate-${var.aws_account_id}")
  purpose     = "terraform-state"
}
