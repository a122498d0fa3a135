terraform {
  # Partial configuration: actions/terraform generates environments/<env>/backend.hcl from env.yaml
  # (bucket, key = "environments/<env>/terraform.tfstate", region, use_lockfile, encrypt) and runs
  # terraform init -backend-config=<that file>. See README.md.
  backend "s3" {}
}
