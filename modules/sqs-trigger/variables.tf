variable "batch_size" {
  type        = number
  description = "Messages per invocation, 1 to 10000."
  default     = 10
  nullable    = false
}

variable "bucket" {
  type        = string
  description = "Name of the bucket whose events fill the queue."
  nullable    = false
}

variable "event_source" {
  type        = string
  description = "Who sends the bucket's events to the queue: \"s3\" (the bucket's notification configuration, managed here) or \"eventbridge\" (the rule in eventbridge_rule_arn)."
  default     = "s3"
  nullable    = false

  validation {
    condition     = contains(["s3", "eventbridge"], var.event_source)
    error_message = "event_source must be \"s3\" or \"eventbridge\"; got \"${var.event_source}\"."
  }
}

variable "eventbridge_rule_arn" {
  type        = string
  description = "With event_source = \"eventbridge\": ARN of the rule that sends the bucket's events to the queue (the queue admits it only)."
  default     = null
}

variable "events" {
  type        = list(string)
  description = "With event_source = \"s3\": the S3 events sent to the queue."
  default     = ["s3:ObjectCreated:*"]
  nullable    = false
}

variable "filter_prefix" {
  type        = string
  description = "With event_source = \"s3\": only keys under this prefix are sent. \"\": every key."
  default     = ""
  nullable    = false
}

variable "filter_suffixes" {
  type        = list(string)
  description = "With event_source = \"s3\": only keys with one of these suffixes are sent (one rule per suffix). []: any."
  default     = []
  nullable    = false
}

variable "function_arn" {
  type        = string
  description = "ARN of the function the queue feeds."
  nullable    = false
}

variable "function_timeout" {
  type        = number
  description = "The function's timeout in seconds; the queue's visibility timeout is six times it (at least 30 s)."
  nullable    = false
}

variable "max_receive_count" {
  type        = number
  description = "Receives of a message before it moves to the dead-letter queue."
  default     = 5
  nullable    = false
}

variable "maximum_batching_window_in_seconds" {
  type        = number
  description = "How long Lambda gathers messages before it invokes, 0 to 300 s."
  default     = 0
  nullable    = false
}

variable "maximum_concurrency" {
  type        = number
  description = "Most concurrent invocations this queue causes, 2 to 1000 (for example to protect a database). Null: no ceiling."
  default     = null
}

variable "notification_conflict" {
  type        = string
  description = "Why the bucket's notification configuration must not be written: the rules in it that the caller did not write, which writing it would remove (the root module reads the configuration at plan). Null: write it."
  default     = null
}

variable "queue_name" {
  type        = string
  description = "Name of the queue; the dead-letter queue is \"<queue_name>-dlq\"."
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,76}$", var.queue_name))
    error_message = "queue_name must be 1 to 76 letters, digits, '-' or '_' (SQS names, leaving room for \"-dlq\"); got \"${var.queue_name}\"."
  }
}

variable "role_name" {
  type        = string
  description = "Name of the function's execution role, which gets permission to receive from the queue. Null: a role you manage; grant it sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes on the queue."
  default     = null
}

variable "source_account" {
  type        = string
  description = "Account that owns the bucket: the queue admits its events only from that account. Null: the caller's account."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags for the queues."
  default     = {}
  nullable    = false
}
