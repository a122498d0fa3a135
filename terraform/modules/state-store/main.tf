# SSE-KMS with a customer managed key: decrypts show up in CloudTrail per principal, the key can be
# disabled to cut off every reader at once, and rotation is yearly. The key may be used through S3
# by any principal of this account, so whoever the bucket policy and IAM let read an object can
# read it (kOps nodes keep working unchanged) while the key cannot be used directly outside S3.
module "key" {
  source = "../kms-key"

  description          = "${var.bucket_name} (${var.purpose}) bucket encryption"
  alias                = var.bucket_name
  use_through_services = ["s3"]

  tags = merge(var.tags, { Name = var.bucket_name, Purpose = var.purpose })
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:Access logs would need a second bucket per store; CloudTrail S3 data events are the audit trail (see README)
  #checkov:skip=CKV_AWS_144:Single-region project; versioning plus noncurrent-version retention is the recovery path
  #checkov:skip=CKV2_AWS_62:No consumer for object events; Terraform and kOps read the objects directly
  bucket        = var.bucket_name
  force_destroy = var.force_destroy

  tags = merge(var.tags, { Name = var.bucket_name, Purpose = var.purpose })
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = module.key.key_arn
    }
    # One data key per bucket instead of one KMS call per object: fewer requests, lower cost.
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-old-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days           = var.noncurrent_version_retention_days
      newer_noncurrent_versions = var.noncurrent_versions_to_keep
    }

    expiration {
      expired_object_delete_marker = true
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

locals {
  # Requests the bucket refuses from anyone: plain HTTP, and TLS older than 1.2.
  deny_conditions = {
    DenyInsecureTransport = { test = "Bool", variable = "aws:SecureTransport", value = "false" }
    DenyOutdatedTls       = { test = "NumericLessThan", variable = "s3:TlsVersion", value = "1.2" }
  }
}

data "aws_iam_policy_document" "bucket" {
  dynamic "statement" {
    for_each = local.deny_conditions

    content {
      sid       = statement.key
      effect    = "Deny"
      actions   = ["s3:*"]
      resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

      principals {
        type        = "*"
        identifiers = ["*"]
      }

      condition {
        test     = statement.value.test
        variable = statement.value.variable
        values   = [statement.value.value]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.bucket.json

  # A bucket policy put before the public access block exists can race with it.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
