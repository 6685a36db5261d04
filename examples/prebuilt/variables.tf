variable "architecture" {
  type        = string
  description = "Instruction set of the function: x86_64 or arm64 (the release has a layer for each)."
  default     = "x86_64"
  nullable    = false
}

variable "force_destroy" {
  type        = bool
  description = "Let terraform destroy delete the buckets with the pictures in them."
  default     = false
  nullable    = false
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every name in the stack; bucket names are global, so make it yours."
  default     = "thumbnails-prebuilt"
  nullable    = false
}

variable "region" {
  type        = string
  description = "AWS region of the stack."
  default     = "us-east-1"
  nullable    = false
}

variable "release_bucket" {
  type        = string
  description = "Bucket the release was published to (make publish), in the stack's region: Lambda reads a ZIP only from a bucket in its own region."
  nullable    = false
}

variable "release_prefix" {
  type        = string
  description = "Key prefix the release was published under (make publish PREFIX=...), for example thumbnails/0.2.0."
  default     = ""
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
  description = "Refuse plain-HTTP requests to the buckets: a bucket policy denies every request without TLS (aws:SecureTransport false). Local runs (make demo, the end-to-end tests) turn it off: the local endpoint speaks plain HTTP."
  default     = true
  nullable    = false
}
