# Pullers (kOps nodes) and the push role need no KMS permission of their own: use through ECR only.
module "key" {
  source = "../kms-key"

  description          = "${var.repository_prefix} ECR repositories"
  alias                = "${var.repository_prefix}-ecr"
  use_through_services = ["ecr"]

  tags = merge(var.tags, { Name = "${var.repository_prefix}-ecr" })
}

resource "aws_ecr_repository" "this" {
  for_each = toset(var.services)

  name = "${var.repository_prefix}/${each.key}"

  # A commit sha names exactly one image forever; promotion between environments relies on it.
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = module.key.key_arn
  }

  tags = merge(var.tags, { Service = each.key })
}

# Rule 1 claims every image tagged released-<sha> (an image matched by a higher-priority rule can
# never be expired by a lower one, and 9999 is never reached), so the count rule below only ever
# expires commit images no environment has deployed. The tests evaluate these rules against
# release files (terraform/tests/ecr-lifecycle.test.ts).
resource "aws_ecr_lifecycle_policy" "this" {
  for_each = aws_ecr_repository.this

  repository = each.value.name
  policy = templatefile("${path.module}/lifecycle-policy.json.tftpl", {
    released_tag_prefix        = var.released_tag_prefix
    untagged_image_expiry_days = var.untagged_image_expiry_days
    tagged_images_to_keep      = var.tagged_images_to_keep
  })
}
