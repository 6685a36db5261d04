# A complete stack: private, encrypted source and thumbnail buckets, a queue for events that keep failing, and
# the thumbnails module wired between them. Copy it, or `terraform apply` it as it is.

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
  #checkov:skip=CKV_AWS_145:Example: SSE-S3 (AES256) encryption at rest; SSE-KMS with the caller's key works too (the module's kms_key_arns).
  #checkov:skip=CKV_AWS_18:Example: server access logs need a log bucket of the caller's choosing; CloudTrail data events are the other way.
  #checkov:skip=CKV2_AWS_61:Example data with force_destroy; a lifecycle policy is the owner's retention decision.
  #checkov:skip=CKV_AWS_21:The uploads bucket is versioned (aws_s3_bucket_versioning.source, which the check does not match to one bucket of a for_each); the thumbnails bucket holds derived pictures, made again from the sources, so their old versions would only cost storage.
  #checkov:skip=CKV2_AWS_62:This bucket's events reach the function through another path (EventBridge, SQS or SNS) or it only holds thumbnails, which must not trigger anything.
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

resource "aws_s3_bucket_policy" "tls_only" {
  for_each = data.aws_iam_policy_document.tls_only

  bucket = aws_s3_bucket.this[each.key].id
  policy = each.value.json
  # S3 answers OperationAborted to a policy set while the public access block is being set.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

# ACLs off: every object, thumbnails included, belongs to the bucket's own account.
resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# The uploads are versioned: an overwritten or deleted picture can be recovered. The function renders the current
# version, and a delete (which leaves a delete marker) removes the thumbnails.
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

resource "aws_sqs_queue" "failed" {
  name                    = "${var.name_prefix}-failed"
  sqs_managed_sse_enabled = true
}

module "thumbnails" {
  source = "../.."

  function_name                  = var.function_name
  replace_existing_notifications = var.replace_existing_notifications
  source_bucket                  = aws_s3_bucket.this["source"].id # by id: the plan reads it once it exists
  destination_bucket             = aws_s3_bucket.this["thumbnails"].bucket
  filter_prefix                  = "uploads/"
  thumbnail_sizes                = var.thumbnail_sizes     # two longest edges and a square avatar by default
  extra_formats                  = ["heif", "avif", "pdf"] # HEIC and AVIF as JPEG; a PDF's first page as WebP

  runtime = var.runtime
  build   = { layer_target = var.layer_build_target }

  # Each thumbnail: cached a day (the default Cache-Control), shown inline under its source's name, the
  # photographer's credit carried over from the upload's metadata, tagged for cost reports.
  thumbnail_objects = {
    copy_metadata = ["photographer"]
    tags          = { example = "complete", kind = "thumbnail" }
  }

  database = var.database_secret_arn == null ? null : { secret_arn = var.database_secret_arn, tls = var.database_tls }

  # The role the thumbnails command's jobs run as (backfill, reconcile): manifests and reports in the thumbnails
  # bucket, under batch-operations/.
  batch_operations = {}

  on_failure_destination_arn = aws_sqs_queue.failed.arn
  tags                       = { example = "complete" }
}
