# Uploads reach the function through a queue the module creates: buffering, a dead-letter queue, and at most
# three thumbnails made at once (for example to protect a database the function writes to).

provider "aws" {
  region = var.region
}

resource "aws_s3_bucket" "uploads" {
  #checkov:skip=CKV_AWS_144:Example: one region; cross-region replication needs a second bucket and region of the caller's choosing.
  #checkov:skip=CKV_AWS_145:Example: SSE-S3 (AES256) encryption at rest; SSE-KMS with the caller's key works too (the module's kms_key_arns).
  #checkov:skip=CKV_AWS_18:Example: server access logs need a log bucket of the caller's choosing; CloudTrail data events are the other way.
  #checkov:skip=CKV2_AWS_61:Example data with force_destroy; a lifecycle policy is the owner's retention decision.
  #checkov:skip=CKV_AWS_21:Example: unversioned so the demo and destroy stay simple; the function handles versioned buckets (it renders the current version), and a production source should be versioned.
  #checkov:skip=CKV2_AWS_62:This bucket's events reach the function through another path (EventBridge, SQS or SNS) or it only holds thumbnails, which must not trigger anything.
  bucket        = "${var.name_prefix}-uploads"
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_public_access_block" "uploads" {
  bucket                  = aws_s3_bucket.uploads.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# Every request over TLS: plain HTTP is refused, whoever asks.
data "aws_iam_policy_document" "tls_only" {
  count = var.tls_only ? 1 : 0

  statement {
    sid       = "DenyPlainHTTP"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.uploads.arn, "${aws_s3_bucket.uploads.arn}/*"]
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
  count = var.tls_only ? 1 : 0

  bucket = aws_s3_bucket.uploads.id
  policy = data.aws_iam_policy_document.tls_only[0].json
  # S3 answers OperationAborted to a policy set while the public access block is being set.
  depends_on = [aws_s3_bucket_public_access_block.uploads]
}

# ACLs off: every object, thumbnails included, belongs to the bucket's own account.
resource "aws_s3_bucket_ownership_controls" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Encrypted at rest with S3's own keys (SSE-S3), said here rather than left to the account's default.
resource "aws_s3_bucket_server_side_encryption_configuration" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

module "thumbnails" {
  source = "../.."

  function_name   = var.function_name
  source_bucket   = aws_s3_bucket.uploads.id # by id: the plan reads it once it exists
  filter_prefix   = "uploads/"
  thumbnail_sizes = [512, 128]

  trigger = "sqs"
  sqs = {
    batch_size                         = 10
    maximum_batching_window_in_seconds = 1
    maximum_concurrency                = 3
  }

  runtime = var.runtime
  build   = { layer_target = var.layer_build_target }
  tags    = { example = "sqs" }
}
