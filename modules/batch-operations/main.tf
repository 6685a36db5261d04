# The role S3 Batch Operations assumes to run the thumbnails command's jobs: invoke this function, read the
# manifests under one prefix, write the completion reports under another; nothing else.

locals {
  bucket_arn = "arn:${var.partition}:s3:::${var.bucket}"
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "BatchOperations"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["batchoperations.s3.amazonaws.com"]
    }
    # Only jobs of this account: the confused-deputy guard AWS recommends for service roles.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "InvokeTheFunction"
    actions   = ["lambda:InvokeFunction"]
    resources = [var.function_arn]
  }

  statement {
    sid       = "ReadManifests"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${local.bucket_arn}/${var.prefix}manifests/*"]
    condition {
      test     = "StringEquals"
      variable = "s3:ResourceAccount"
      values   = [var.bucket_account]
    }
  }

  statement {
    sid       = "WriteReports"
    actions   = ["s3:PutObject"]
    resources = ["${local.bucket_arn}/${var.prefix}reports/*"]
    condition {
      test     = "StringEquals"
      variable = "s3:ResourceAccount"
      values   = [var.bucket_account]
    }
  }

  statement {
    sid       = "LocateTheBucket"
    actions   = ["s3:GetBucketLocation"]
    resources = [local.bucket_arn]
    condition {
      test     = "StringEquals"
      variable = "s3:ResourceAccount"
      values   = [var.bucket_account]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.role_name
  path                 = var.role_path
  permissions_boundary = var.role_permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  tags                 = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "batch-operations"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
