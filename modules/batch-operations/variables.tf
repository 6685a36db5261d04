variable "account_id" {
  type        = string
  description = "Account whose Batch Operations jobs may assume the role (aws:SourceAccount)."
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit AWS account ID; got \"${var.account_id}\"."
  }
}

variable "bucket" {
  type        = string
  description = "Bucket of the manifests ({prefix}manifests/) and the completion reports ({prefix}reports/)."
  nullable    = false
}

variable "bucket_account" {
  type        = string
  description = "Account that owns bucket: every S3 statement requires it (s3:ResourceAccount)."
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]{12}$", var.bucket_account))
    error_message = "bucket_account must be a 12-digit AWS account ID; got \"${var.bucket_account}\"."
  }
}

variable "function_arn" {
  type        = string
  description = "ARN of the function the jobs invoke, the only one the role may invoke."
  nullable    = false
}

variable "partition" {
  type        = string
  description = "AWS partition of the bucket's ARN (aws, aws-cn, aws-us-gov)."
  default     = "aws"
  nullable    = false
}

variable "prefix" {
  type        = string
  description = "Key prefix of the manifests ({prefix}manifests/) and the reports ({prefix}reports/), ending in /."
  default     = "batch-operations/"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()/-]{1,160}/$", var.prefix)) && !startswith(var.prefix, "/")
    error_message = "prefix must be 2 to 161 characters of letters, digits and !_.*'()/- ending in / (it is written into the function's tags); got \"${var.prefix}\"."
  }
}

variable "role_name" {
  type        = string
  description = "Name of the role."
  nullable    = false
}

variable "role_path" {
  type        = string
  description = "IAM path of the role."
  default     = "/"
  nullable    = false
}

variable "role_permissions_boundary" {
  type        = string
  description = "ARN of the managed policy that bounds the role. Null: none."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags of the role."
  default     = {}
  nullable    = false
}
