# An EventBridge rule on the default bus for one bucket's objects, its target, and what the target needs.

locals {
  # S3 URL-encodes the key in its EventBridge events ("a b+c.jpg" -> "a+b%2Bc.jpg"), so the pattern's prefix is
  # encoded the same way; "*" and "\" are escaped for the wildcard syntax.
  encoded_prefix = replace(replace(replace(urlencode(var.filter_prefix), "%2F", "/"), "\\", "\\\\"), "*", "\\*")
  key_patterns = length(var.filter_suffixes) == 0 ? [{ prefix = local.encoded_prefix }] : [
    for suffix in var.filter_suffixes : { wildcard = "${local.encoded_prefix}*${replace(replace(urlencode(suffix), "\\", "\\\\"), "*", "\\*")}" }
  ]
  event_pattern = {
    source        = ["aws.s3"]
    "detail-type" = var.detail_types
    detail = {
      bucket = { name = [var.bucket] }
      object = { key = local.key_patterns }
    }
  }
}

resource "aws_cloudwatch_event_rule" "this" {
  name          = var.rule_name
  description   = "S3 object changes in ${var.bucket} (${var.filter_prefix == "" ? "every key" : "${var.filter_prefix}*"}) for ${var.function_name == null ? var.target_arn : var.function_name}"
  event_pattern = jsonencode(local.event_pattern)
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  rule = aws_cloudwatch_event_rule.this.name
  arn  = var.target_arn
}

resource "aws_lambda_permission" "events" {
  count = var.function_name == null ? 0 : 1

  statement_id  = "AllowEventBridgeInvoke-${var.rule_name}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this.arn
}

# S3 sends a bucket's events to EventBridge only when its notification configuration says so -- and a bucket has
# one notification configuration: managing it here replaces any other notification on the bucket, so the caller
# names any it finds (notification_conflict) and the plan stops.
resource "aws_s3_bucket_notification" "this" {
  count = var.manage_bucket_eventbridge ? 1 : 0

  bucket      = var.bucket
  eventbridge = true

  lifecycle {
    # The configuration is the bucket's only one: another team's rules in it are never dropped silently.
    precondition {
      condition     = var.notification_conflict == null
      error_message = coalesce(var.notification_conflict, "-")
    }
  }
}
