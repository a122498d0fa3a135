terraform {
  # Partial configuration: the generated backend.hcl sets bucket, key = "global/terraform.tfstate",
  # region, use_lockfile = true and encrypt = true. See README.md.
  backend "s3" {}
}
