data "aws_partition" "current" {}

data "aws_caller_identity" "current" {
  count = var.source_account == null ? 1 : 0
}

locals {
  bucket_arn     = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket}"
  source_account = coalesce(var.source_account, one(data.aws_caller_identity.current[*].account_id))

  # One rule per suffix (S3 takes one suffix per rule), all with the same prefix and events.
  lambda_function_configurations = [
    for i, suffix in(length(var.filter_suffixes) > 0 ? var.filter_suffixes : [null]) : {
      id                  = "${var.function_name}-${i}"
      lambda_function_arn = var.function_arn
      events              = var.events
      filter_prefix       = var.filter_prefix == "" ? null : var.filter_prefix
      filter_suffix       = suffix
    }
  ]
}

resource "aws_lambda_permission" "s3" {
  statement_id   = "AllowS3Invoke-${replace(var.bucket, ".", "-")}"
  action         = "lambda:InvokeFunction"
  function_name  = var.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = local.bucket_arn
  source_account = local.source_account
}

resource "aws_s3_bucket_notification" "this" {
  count  = var.create_bucket_notification ? 1 : 0
  bucket = var.bucket

  dynamic "lambda_function" {
    for_each = local.lambda_function_configurations
    content {
      id                  = lambda_function.value.id
      lambda_function_arn = lambda_function.value.lambda_function_arn
      events              = lambda_function.value.events
      filter_prefix       = lambda_function.value.filter_prefix
      filter_suffix       = lambda_function.value.filter_suffix
    }
  }

  # S3 checks that it may invoke the function when the configuration is saved.
  depends_on = [aws_lambda_permission.s3]

  lifecycle {
    # The configuration is the bucket's only one: another team's rules in it are never dropped silently.
    precondition {
      condition     = var.notification_conflict == null
      error_message = coalesce(var.notification_conflict, "-")
    }
  }
}
