variable "bucket" {
  type        = string
  description = "Name of the bucket whose object events the rule matches."
  nullable    = false
}

variable "detail_types" {
  type        = list(string)
  description = "The S3 EventBridge event types to match: \"Object Created\", \"Object Restore Completed\" and \"Object Deleted\" change a picture."
  default     = ["Object Created"]
  nullable    = false

  validation {
    condition     = length(var.detail_types) > 0 && alltrue([for t in var.detail_types : contains(["Object Created", "Object Restore Completed", "Object Deleted"], t)])
    error_message = "detail_types must be one or more of \"Object Created\", \"Object Restore Completed\", \"Object Deleted\"; got ${jsonencode(var.detail_types)}."
  }
}

variable "filter_prefix" {
  type        = string
  description = "Only keys that start with this prefix match. \"\": every key."
  default     = ""
  nullable    = false
}

variable "filter_suffixes" {
  type        = list(string)
  description = "Only keys that end with one of these match (case-sensitively). []: any suffix."
  default     = []
  nullable    = false
}

variable "function_name" {
  type        = string
  description = "When the target is a function: its name, for the permission that lets this rule (only) invoke it. Null: the target is not a function."
  default     = null
}

variable "manage_bucket_eventbridge" {
  type        = bool
  description = "Turn on the bucket's EventBridge delivery here. It lives in the bucket's single notification configuration, which this then manages (replacing any other notification on it); leave false when its owner turns it on."
  default     = false
  nullable    = false
}

variable "notification_conflict" {
  type        = string
  description = "Why the bucket's notification configuration must not be written: the rules in it that the caller did not write, which writing it would remove (the root module reads the configuration at plan). Null: write it."
  default     = null
}

variable "rule_name" {
  type        = string
  description = "Name of the rule on the default bus; unique per account and region."
  nullable    = false

  validation {
    condition     = can(regex("^[.\\-_A-Za-z0-9]{1,64}$", var.rule_name))
    error_message = "rule_name must be 1 to 64 letters, digits, '.', '-' or '_' (EventBridge's rule for names); got \"${var.rule_name}\"."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags for the rule."
  default     = {}
  nullable    = false
}

variable "target_arn" {
  type        = string
  description = "ARN of what the rule delivers to: the function, or a queue."
  nullable    = false
}
