variable "errors" {
  type        = number
  description = "Alarm when the function's Errors (invocations that failed: crashes, timeouts, out of memory, transient failures raised for a retry) reach this many in a period."
  default     = 1
  nullable    = false
}

variable "function_name" {
  type        = string
  description = "The thumbnail function whose metrics are watched (Lambda's AWS/Lambda and the function's own Thumbnails namespace)."
  nullable    = false
}

variable "period" {
  type        = number
  description = "Seconds each alarm evaluates, a multiple of 60."
  default     = 300
  nullable    = false

  validation {
    condition     = var.period >= 60 && var.period % 60 == 0
    error_message = "period must be a multiple of 60 seconds, at least 60; got ${var.period}."
  }
}

variable "refused" {
  type        = number
  description = "Alarm when this many uploads are refused in a period (not an image, corrupt, too many pixels, too large, another account's bucket): the invocation succeeds, so only this metric says so."
  default     = 1
  nullable    = false
}

variable "tags" {
  type        = map(string)
  description = "Tags of the alarms."
  default     = {}
  nullable    = false
}

variable "throttles" {
  type        = number
  description = "Alarm when the function is throttled this many times in a period (reserved or account concurrency reached)."
  default     = 1
  nullable    = false
}

variable "topic_arn" {
  type        = string
  description = "SNS topic every alarm notifies, when it fires and when it recovers."
  nullable    = false
}

variable "transient_failures" {
  type        = number
  description = "Alarm when this many changes fail transiently (throttling, 5xx, timeouts; they are retried) in a period."
  default     = 5
  nullable    = false
}
