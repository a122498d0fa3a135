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

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = aws_ecr_repository.this

  repository = each.value.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images ${var.untagged_image_expiry_days} days after push"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.untagged_image_expiry_days
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        # "any" must be the last rule. Untagged images expire through rule 1 within days, so this
        # keeps about the newest N commit-sha images (recent untagged ones count towards N).
        description = "Keep the newest ${var.tagged_images_to_keep} images"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.tagged_images_to_keep
        }
        action = { type = "expire" }
      },
    ]
  })
}
