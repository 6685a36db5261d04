# CloudWatch alarms on what the thumbnail function publishes (thumbnailer/aws/metrics.py, namespace Thumbnails) and on
# Lambda's own metrics, each notifying one SNS topic.

locals {
  alarms = {
    refused = {
      namespace = "Thumbnails", metric = "Refused", threshold = var.refused
      what      = "uploads were refused (not an image, corrupt, too many pixels, too large, or another account's bucket)"
    }
    transient-failures = {
      namespace = "Thumbnails", metric = "TransientFailures", threshold = var.transient_failures
      what      = "changes failed transiently and are being retried (throttling, 5xx, timeouts)"
    }
    errors = {
      namespace = "AWS/Lambda", metric = "Errors", threshold = var.errors
      what      = "invocations failed (crash, timeout, out of memory, or a retry requested)"
    }
    throttles = {
      namespace = "AWS/Lambda", metric = "Throttles", threshold = var.throttles
      what      = "invocations were throttled (concurrency reached)"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.function_name}-${each.key}"
  alarm_description   = "${var.function_name}: ${each.value.threshold} or more ${each.value.what} within ${var.period} s."
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = { FunctionName = var.function_name }
  statistic           = "Sum"
  period              = var.period
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching" # no invocation, nothing wrong
  alarm_actions       = [var.topic_arn]
  ok_actions          = [var.topic_arn]
  tags                = var.tags
}
