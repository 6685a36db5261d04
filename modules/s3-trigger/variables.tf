variable "bucket" {
  type        = string
  description = "Name of the bucket whose uploads trigger the function."
  nullable    = false
}

variable "create_bucket_notification" {
  type        = bool
  description = "Manage the bucket's notification configuration here. A bucket has a single one: set false when something else manages it, and add the lambda_function_configurations output there."
  default     = true
  nullable    = false
}

variable "events" {
  type        = list(string)
  description = "S3 events that trigger the function: created objects (s3:ObjectCreated:* includes multipart uploads and copies) and restored ones make thumbnails; removals and expirations remove them."
  default     = ["s3:ObjectCreated:*"]
  nullable    = false

  validation {
    condition     = length(var.events) > 0 && alltrue([for e in var.events : can(regex("^s3:(ObjectCreated:(\\*|Put|Post|Copy|CompleteMultipartUpload)|ObjectRemoved:(\\*|Delete|DeleteMarkerCreated)|LifecycleExpiration:(\\*|Delete|DeleteMarkerCreated)|ObjectRestore:Completed)$", e))]) && anytrue([for e in var.events : startswith(e, "s3:ObjectCreated:")])
    error_message = "events must include s3:ObjectCreated:* (or :Put, :Post, :Copy, :CompleteMultipartUpload) and may add s3:ObjectRestore:Completed, s3:ObjectRemoved:* (:Delete, :DeleteMarkerCreated) and s3:LifecycleExpiration:* (:Delete, :DeleteMarkerCreated), the events that change a picture; got ${jsonencode(var.events)}."
  }
}

variable "filter_prefix" {
  type        = string
  description = "Only keys that start with this prefix trigger the function. \"\": every key."
  default     = ""
  nullable    = false
}

variable "filter_suffixes" {
  type        = list(string)
  description = "Only keys that end with one of these trigger the function; S3 compares case-sensitively. []: any suffix."
  default     = [".jpg", ".jpeg", ".png", ".webp", ".gif", ".JPG", ".JPEG", ".PNG", ".WEBP", ".GIF"]
  nullable    = false

  validation {
    condition = alltrue(flatten([
      for i, a in var.filter_suffixes : [
        for j, b in var.filter_suffixes : i == j || !endswith(a, b)
      ]
    ])) && alltrue([for s in var.filter_suffixes : s != ""])
    error_message = "filter_suffixes must be non-empty and none may end with another (S3 rejects such overlapping rules: \"Configuration is ambiguously defined\"); got ${jsonencode(var.filter_suffixes)}."
  }
}

variable "function_arn" {
  type        = string
  description = "ARN of the function S3 invokes."
  nullable    = false
}

variable "function_name" {
  type        = string
  description = "Name of the function S3 invokes; names the permission and the notification rules."
  nullable    = false
}

variable "notification_conflict" {
  type        = string
  description = "Why the bucket's notification configuration must not be written: the rules in it that the caller did not write, which writing it would remove (the root module reads the configuration at plan). Null: write it."
  default     = null
}

variable "source_account" {
  type        = string
  description = "Account that owns the bucket: the permission holds only for that account's bucket of this name, even if the name is later taken by someone else. Null: the caller's account."
  default     = null

  validation {
    condition     = var.source_account == null || can(regex("^[0-9]{12}$", var.source_account))
    error_message = "source_account must be a 12-digit AWS account ID; got \"${coalesce(var.source_account, "null")}\"."
  }
}
