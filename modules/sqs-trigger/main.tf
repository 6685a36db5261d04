# A queue between the bucket's events and the function: buffering, a dead-letter queue, a concurrency ceiling.

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {
  count = var.source_account == null ? 1 : 0
}

locals {
  bucket_arn     = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket}"
  source_account = coalesce(var.source_account, one(data.aws_caller_identity.current[*].account_id))
  # Who sends to the queue: S3 itself, or the EventBridge rule that matches the bucket's events.
  sender = var.event_source == "s3" ? { service = "s3.amazonaws.com", arn = local.bucket_arn } : {
    service = "events.amazonaws.com", arn = var.eventbridge_rule_arn
  }
  # The queue's own ARN, for its inline policy (a reference to aws_sqs_queue.this.arn would be a cycle): the
  # dead-letter queue's, in the same account and region, without its "-dlq".
  queue_arn = trimsuffix(aws_sqs_queue.dead_letter.arn, "-dlq")
}

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.queue_name}-dlq"
  message_retention_seconds = 1209600 # 14 days, the SQS maximum: time to look at what failed
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_sqs_queue" "this" {
  name = var.queue_name
  # Lambda's advice: six times the function's timeout, so a batch in progress is not delivered again.
  visibility_timeout_seconds = max(30, 6 * var.function_timeout)
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = var.max_receive_count
  })
  # Inline, not an aws_sqs_queue_policy: the provider waits about 25 s after each queue write for SQS to agree
  # (six reads, five seconds apart), so a separate policy resource added that much to every apply.
  policy = data.aws_iam_policy_document.queue.json
  tags   = var.tags
}

# Before 2026-12 the policy was its own resource; the queue now holds the same policy, so it is only forgotten.
removed {
  from = aws_sqs_queue_policy.this

  lifecycle {
    destroy = false
  }
}

data "aws_iam_policy_document" "queue" {
  statement {
    sid       = "AllowBucketEvents"
    actions   = ["sqs:SendMessage"]
    resources = [local.queue_arn]
    principals {
      type        = "Service"
      identifiers = [local.sender.service]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [local.sender.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.source_account]
    }
  }
}

# With event_source = "s3", the queue is the bucket's notification destination: one rule per suffix. A bucket has one
# notification configuration, and this manages it: it replaces any other rule, so the caller names any it finds
# (notification_conflict) and the plan stops.
resource "aws_s3_bucket_notification" "this" {
  count  = var.event_source == "s3" ? 1 : 0
  bucket = var.bucket

  dynamic "queue" {
    for_each = length(var.filter_suffixes) > 0 ? var.filter_suffixes : [null]
    content {
      id            = "${var.queue_name}-${queue.key}"
      queue_arn     = aws_sqs_queue.this.arn
      events        = var.events
      filter_prefix = var.filter_prefix == "" ? null : var.filter_prefix
      filter_suffix = queue.value
    }
  }

  # S3 sends a test message when the configuration is saved: the queue admits it by then (its policy is inline).

  lifecycle {
    # The configuration is the bucket's only one: another team's rules in it are never dropped silently.
    precondition {
      condition     = var.notification_conflict == null
      error_message = coalesce(var.notification_conflict, "-")
    }
  }
}

resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn                   = aws_sqs_queue.this.arn
  function_name                      = var.function_arn
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
  # The function names only the messages that failed transiently; only they come back.
  function_response_types = ["ReportBatchItemFailures"]

  dynamic "scaling_config" {
    for_each = var.maximum_concurrency == null ? [] : [var.maximum_concurrency]
    content {
      maximum_concurrency = scaling_config.value
    }
  }

  # Lambda checks the role can read the queue when the mapping is created.
  depends_on = [aws_iam_role_policy.receive]
}

data "aws_iam_policy_document" "receive" {
  statement {
    sid       = "ReceiveBucketEvents"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.this.arn]
  }
}

resource "aws_iam_role_policy" "receive" {
  count = var.role_name == null ? 0 : 1

  name   = "receive-${var.queue_name}"
  role   = var.role_name
  policy = data.aws_iam_policy_document.receive.json
}
