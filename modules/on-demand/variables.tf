variable "bucket" {
  type        = string
  description = "The thumbnails bucket: the first origin."
  nullable    = false
}

variable "bucket_regional_domain_name" {
  type        = string
  description = "The thumbnails bucket's regional endpoint ({bucket}.s3.{region}.amazonaws.com)."
  nullable    = false
}

variable "formats" {
  type        = list(string)
  description = "The formats a variant may be asked in, negotiated from Accept: AVIF, then WebP, then JPEG (and PNG), among these."
  nullable    = false

  validation {
    condition     = length(var.formats) > 0 && alltrue([for f in var.formats : contains(["avif", "webp", "jpeg", "png"], f)]) && length(distinct(var.formats)) == length(var.formats)
    error_message = "formats must hold avif, webp, jpeg or png, at least one and each at most once; got ${jsonencode(var.formats)}."
  }
}

variable "function_name" {
  type        = string
  description = "The on-demand function, whose URL is the second origin."
  nullable    = false
}

variable "invalidating_role_name" {
  type        = string
  description = "The role of the function that sees uploads: allowed cloudfront:CreateInvalidation on this distribution. Null: no invalidation."
  default     = null
}

variable "max_age" {
  type        = number
  description = "Seconds CloudFront may serve a variant from its cache at most (the cache policy's default and maximum TTL)."
  nullable    = false

  validation {
    condition     = var.max_age >= 0 && var.max_age <= 31536000 && floor(var.max_age) == var.max_age
    error_message = "max_age must be a whole number of seconds between 0 and 31536000 (a year); got ${var.max_age}."
  }
}

variable "name" {
  type        = string
  description = "Names the CloudFront resources: {name}-s3, {name}-viewer-request, ..."
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,48}$", var.name))
    error_message = "name must be 1 to 48 letters, digits, '-' or '_' (room for CloudFront's suffixes within 64); got \"${var.name}\"."
  }
}

variable "partition" {
  type        = string
  description = "The AWS partition of the bucket's ARN."
  default     = "aws"
  nullable    = false
}

variable "prefix" {
  type        = string
  description = "The thumbnails' key prefix (the module's destination_prefix)."
  nullable    = false
}

variable "presets" {
  type        = map(string)
  description = "Names a page uses for sizes, in thumbnail_sizes' syntax: { thumb = \"256\", card = \"640x360\" }."
  nullable    = false
}

variable "price_class" {
  type        = string
  description = "The distribution's price class."
  default     = "PriceClass_100"
  nullable    = false
}

variable "signed" {
  type        = bool
  description = "Sizes that are no preset may be asked for with a signature (?sig=), checked by the function."
  default     = false
  nullable    = false
}

variable "tags" {
  type        = map(string)
  description = "Tags of the distribution."
  default     = {}
  nullable    = false
}

variable "web_acl_id" {
  type        = string
  description = "A WAF web ACL's ARN for the distribution; null: none."
  default     = null
}
