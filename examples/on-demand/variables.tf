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
  default     = "thumbnails-on-demand"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,29}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 30 lower-case letters, digits and hyphens, starting with a letter or digit (it begins bucket names, and the names of the functions and CloudFront resources); got \"${var.name_prefix}\"."
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

variable "tls_only" {
  type        = bool
  description = "Refuse plain-HTTP requests to the buckets: a bucket policy denies every request without TLS (aws:SecureTransport false). Local runs turn it off: the local endpoint speaks plain HTTP."
  default     = true
  nullable    = false
}
