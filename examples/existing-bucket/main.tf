# A bucket that already sends its uploads to a queue keeps that notification: two instances of the module (avatars/
# and photos/) read the bucket's events from EventBridge, which the bucket's owner turns on in the notification
# configuration it already manages. Nothing the bucket had before stops working.

provider "aws" {
  region = var.region
}

resource "aws_s3_bucket" "photos" {
  #checkov:skip=CKV_AWS_144:Example: one region; cross-region replication needs a second bucket and region of the caller's choosing.
  #checkov:skip=CKV_AWS_145:Example: SSE-S3 (AES256) encryption at rest; SSE-KMS with the caller's key works too (the module's kms_key_arns).
  #checkov:skip=CKV_AWS_18:Example: server access logs need a log bucket of the caller's choosing; CloudTrail data events are the other way.
  #checkov:skip=CKV2_AWS_61:Example data with force_destroy; a lifecycle policy is the owner's retention decision.
  #checkov:skip=CKV_AWS_21:Example: unversioned so the demo and destroy stay simple; the function handles versioned buckets (it renders the current version), and a production source should be versioned.
  bucket        = "${var.name_prefix}-photos"
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_public_access_block" "photos" {
  bucket                  = aws_s3_bucket.photos.id
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
    resources = [aws_s3_bucket.photos.arn, "${aws_s3_bucket.photos.arn}/*"]
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

  bucket = aws_s3_bucket.photos.id
  policy = data.aws_iam_policy_document.tls_only[0].json
  # S3 answers OperationAborted to a policy set while the public access block is being set.
  depends_on = [aws_s3_bucket_public_access_block.photos]
}

# ACLs off: every object, thumbnails included, belongs to the bucket's own account.
resource "aws_s3_bucket_ownership_controls" "photos" {
  bucket = aws_s3_bucket.photos.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Encrypted at rest with S3's own keys (SSE-S3), said here rather than left to the account's default.
resource "aws_s3_bucket_server_side_encryption_configuration" "photos" {
  bucket = aws_s3_bucket.photos.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# What was there before: every upload also goes to this queue (another team's consumer).
resource "aws_sqs_queue" "existing" {
  name                    = "${var.name_prefix}-existing-consumer"
  sqs_managed_sse_enabled = true
}

data "aws_iam_policy_document" "existing" {
  statement {
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.existing.arn]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.photos.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "existing" {
  queue_url = aws_sqs_queue.existing.id
  policy    = data.aws_iam_policy_document.existing.json
}

# The bucket's single notification configuration stays with its owner: the existing queue, plus EventBridge on.
resource "aws_s3_bucket_notification" "photos" {
  bucket      = aws_s3_bucket.photos.id
  eventbridge = true

  queue {
    queue_arn = aws_sqs_queue.existing.arn
    events    = ["s3:ObjectCreated:*"]
  }

  depends_on = [aws_sqs_queue_policy.existing]
}

# Two instances on one bucket: each has its own rule on the default bus; thumbnails go to thumbnails/<prefix>.
module "thumbnails" {
  source   = "../.."
  for_each = toset(["avatars", "photos"])

  function_name      = "${var.name_prefix}-${each.key}"
  source_bucket      = aws_s3_bucket.photos.bucket
  filter_prefix      = "${each.key}/"
  destination_prefix = "thumbnails/${each.key}/"
  thumbnail_sizes    = each.key == "avatars" ? [128] : [1024, 256]

  trigger                   = "eventbridge"
  manage_bucket_eventbridge = false # the owner's aws_s3_bucket_notification above turns it on

  runtime = var.runtime
  build   = { layer_target = var.layer_build_target }
  tags    = { example = "existing-bucket" }
}
