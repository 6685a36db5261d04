# The classic fan-out: the bucket publishes its events to one SNS topic, and any number of consumers subscribe --
# here the thumbnail function and an audit queue. The bucket's notification configuration has one destination.

provider "aws" {
  region = var.region
}

resource "aws_s3_bucket" "uploads" {
  #checkov:skip=CKV_AWS_144:Example: one region; cross-region replication needs a second bucket and region of the caller's choosing.
  #checkov:skip=CKV_AWS_145:Example: SSE-S3 (AES256) encryption at rest; SSE-KMS with the caller's key works too (the module's kms_key_arns).
  #checkov:skip=CKV_AWS_18:Example: server access logs need a log bucket of the caller's choosing; CloudTrail data events are the other way.
  #checkov:skip=CKV2_AWS_61:Example data with force_destroy; a lifecycle policy is the owner's retention decision.
  #checkov:skip=CKV_AWS_21:Example: unversioned so the demo and destroy stay simple; the function handles versioned buckets (it renders the current version), and a production source should be versioned.
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

resource "aws_sns_topic" "bucket_events" {
  name              = "${var.name_prefix}-bucket-events"
  kms_master_key_id = "alias/aws/sns"
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "bucket_events" {
  statement {
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.bucket_events.arn]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.uploads.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "bucket_events" {
  arn    = aws_sns_topic.bucket_events.arn
  policy = data.aws_iam_policy_document.bucket_events.json
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = aws_s3_bucket.uploads.id

  topic {
    topic_arn     = aws_sns_topic.bucket_events.arn
    events        = ["s3:ObjectCreated:*", "s3:ObjectRemoved:*", "s3:LifecycleExpiration:*"]
    filter_prefix = "uploads/"
  }

  depends_on = [aws_sns_topic_policy.bucket_events]
}

# Another consumer of the same events.
resource "aws_sqs_queue" "audit" {
  name                    = "${var.name_prefix}-audit"
  sqs_managed_sse_enabled = true
}

resource "aws_sns_topic_subscription" "audit" {
  topic_arn = aws_sns_topic.bucket_events.arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.audit.arn
}

module "thumbnails" {
  source = "../.."

  function_name = "${var.name_prefix}-thumbnails"
  source_bucket = aws_s3_bucket.uploads.bucket
  filter_prefix = "uploads/"

  trigger       = "sns"
  sns_topic_arn = aws_sns_topic.bucket_events.arn

  runtime = var.runtime
  build   = { layer_target = var.layer_build_target }
  tags    = { example = "sns-fanout" }
}
