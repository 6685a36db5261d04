variable "function_arn" {
  type        = string
  description = "ARN of the function to subscribe."
  nullable    = false
}

variable "function_name" {
  type        = string
  description = "Name of the function to subscribe, for its permission."
  nullable    = false
}

variable "topic_arn" {
  type        = string
  description = "ARN of the SNS topic the bucket publishes its events to."
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.topic_arn))
    error_message = "topic_arn must be the ARN of an SNS topic (arn:aws:sns:<region>:<account>:<name>, not a FIFO topic); got \"${var.topic_arn}\"."
  }
}
