variable "cors_allowed_origins" {
  type        = list(string)
  description = "Origins whose pages' scripts may read the thumbnails' pixels (a canvas, fetch) and timings: CORS and Timing-Allow-Origin. [\"*\"]: any page, as suits pictures anyone may see."
  default     = ["*"]
  nullable    = false

  validation {
    condition     = length(var.cors_allowed_origins) > 0 && alltrue([for o in var.cors_allowed_origins : o == "*" || can(regex("^https?://[a-z0-9.-]+(:[0-9]+)?$", o))])
    error_message = "cors_allowed_origins must hold \"*\" or one or more origins such as \"https://www.example.com\" (scheme and host, no path); got ${jsonencode(var.cors_allowed_origins)}."
  }
}

variable "force_destroy" {
  type        = bool
  description = "Let terraform destroy delete the buckets with the pictures in them."
  default     = false
  nullable    = false
}

variable "layer_build_target" {
  type        = string
  description = "\"lambda\" for AWS; \"host\" to build the layer for this machine's Python, for the local endpoint."
  default     = "lambda"
  nullable    = false
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every name in the stack; bucket names are global, so make it yours."
  default     = "thumbnails-cdn"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,49}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 50 lower-case letters, digits and hyphens, starting with a letter or digit (it begins bucket names of up to 63 characters); got \"${var.name_prefix}\"."
  }
}

variable "price_class" {
  type        = string
  description = "Where CloudFront serves from: PriceClass_100 (North America, Europe), PriceClass_200 (and most of Asia, Africa, the Middle East) or PriceClass_All."
  default     = "PriceClass_100"
  nullable    = false

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All; got \"${var.price_class}\"."
  }
}

variable "region" {
  type        = string
  description = "AWS region of the buckets and the function (CloudFront is global)."
  default     = "us-east-1"
  nullable    = false
}

variable "runtime" {
  type        = string
  description = "Lambda runtime; the local endpoint needs the local Python's."
  default     = "python3.13"
  nullable    = false
}

variable "thumbnail_sizes" {
  type        = list(string)
  description = "Longest edges of the thumbnails, in pixels: 512 for a 512-pixel slot, 1024 for the same slot on a 2x screen."
  default     = ["512", "1024"]
  nullable    = false
}

variable "tls_only" {
  type        = bool
  description = "Refuse plain-HTTP requests to the buckets: a bucket policy denies every request without TLS (aws:SecureTransport false). Local runs turn it off: the local endpoint speaks plain HTTP."
  default     = true
  nullable    = false
}
