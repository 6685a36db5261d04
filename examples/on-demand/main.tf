# Thumbnails on first request: a page asks CloudFront for /{preset}/{key} (thumb, card, hero), in the best format its
# browser takes. The thumbnails bucket answers what exists; what does not is made by the module's on-demand function
# from the upload, stored under the same key the upload path uses, and answered. Nothing but the presets is made.

provider "aws" {
  region = var.region
}

locals {
  buckets = {
    source     = "${var.name_prefix}-uploads"
    thumbnails = "${var.name_prefix}-thumbnails"
  }
}

resource "aws_s3_bucket" "this" {
  for_each = local.buckets
  #checkov:skip=CKV_AWS_144:Example: one region; cross-region replication needs a second bucket and region of the caller's choosing.
  #checkov:skip=CKV_AWS_145:Example: SSE-S3 (AES256) encryption at rest, which CloudFront reads through its origin access control with no key policy; SSE-KMS would need the distribution in the key's policy.
  #checkov:skip=CKV_AWS_18:Example: server access logs need a log bucket of the caller's choosing; CloudTrail data events are the other way.
  #checkov:skip=CKV2_AWS_61:Example data with force_destroy; a lifecycle policy is the owner's retention decision.
  #checkov:skip=CKV_AWS_21:The uploads bucket is versioned (aws_s3_bucket_versioning.source, which the check does not match to one bucket of a for_each); the thumbnails bucket holds derived pictures, made again from the sources, so their old versions would only cost storage.
  #checkov:skip=CKV2_AWS_62:This bucket's events reach the function through the module's own notification, or it only holds thumbnails, which must not trigger anything.
  #checkov:skip=CKV2_AWS_6:The public access block is the aws_s3_bucket_public_access_block resource beside it (for_each over the same buckets), which the check does not follow.

  bucket        = each.value
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = aws_s3_bucket.this

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Versioned uploads: an overwrite is a new version, and the variants of the old one are removed and invalidated.
resource "aws_s3_bucket_versioning" "source" {
  bucket = aws_s3_bucket.this["source"].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# Every request over TLS: plain HTTP is refused, whoever asks.
data "aws_iam_policy_document" "tls_only" {
  for_each = var.tls_only ? aws_s3_bucket.this : {}

  statement {
    sid       = "DenyPlainHTTP"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

# The thumbnails bucket's policy: the module's statement (its distribution reads the thumbnails, nothing else)
# beside this stack's own. The module never writes a bucket's policy itself: a bucket has one.
data "aws_iam_policy_document" "thumbnails" {
  source_policy_documents = concat(
    [for key, document in data.aws_iam_policy_document.tls_only : document.json if key == "thumbnails"],
    [module.thumbnails.on_demand_bucket_policy_json],
  )
}

resource "aws_s3_bucket_policy" "source" {
  count = var.tls_only ? 1 : 0

  bucket = aws_s3_bucket.this["source"].id
  policy = data.aws_iam_policy_document.tls_only["source"].json
  # S3 answers OperationAborted to a policy set while the public access block is being set.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_policy" "thumbnails" {
  bucket = aws_s3_bucket.this["thumbnails"].id
  policy = data.aws_iam_policy_document.thumbnails.json
  # S3 answers OperationAborted to a policy set while the public access block is being set.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

module "thumbnails" {
  source = "../.."

  function_name      = "${var.name_prefix}-thumbnails"
  source_bucket      = aws_s3_bucket.this["source"].id
  destination_bucket = aws_s3_bucket.this["thumbnails"].bucket
  filter_prefix      = "uploads/"
  destination_prefix = "thumbnails/"
  # The upload path makes the one size every page shows at once; every other size waits for its first request.
  thumbnail_sizes = ["256"]
  output_formats  = ["avif", "webp", "jpeg"]
  extra_formats   = ["avif"]

  on_demand = {
    presets              = { thumb = "256", card = "640x360", hero = "1600x900" }
    formats              = ["avif", "webp", "jpeg"]
    max_age              = 86400
    invalidate           = true
    reserved_concurrency = 10
  }
  thumbnail_objects = { cache_control = "public, max-age=86400" }

  runtime = var.runtime
  build   = { layer_target = var.layer_build_target }
  tags    = { example = "on-demand" }
}
