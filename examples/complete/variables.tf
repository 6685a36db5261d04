variable "database_secret_arn" {
  type        = string
  description = "A Secrets Manager secret with the login of a MySQL/MariaDB database (host, port, username, password, dbname), whose thumbnails table then records every thumbnail (examples/with-database builds one). Null: no catalogue."
  default     = null
}

variable "database_tls" {
  type        = string
  description = "How the function's connection to the database is encrypted: \"require\", \"verify\" or \"disable\" (a local server without TLS, as make demo DATABASE=1 starts)."
  default     = "require"
  nullable    = false
}

variable "force_destroy" {
  type        = bool
  description = "Let terraform destroy delete the buckets with the pictures in them."
  default     = false
  nullable    = false
}

variable "function_name" {
  type        = string
  description = "Name of the thumbnail function. Null: the module's default, \"thumbnails-<source bucket>\"."
  default     = null
}

variable "layer_build_target" {
  type        = string
  description = "\"lambda\" for AWS; \"host\" to build the layer for this machine's Python, for the local endpoint (make demo)."
  default     = "lambda"
  nullable    = false
}

variable "name_prefix" {
  type        = string
  description = "Prefix of the bucket and queue names; bucket names are global, so make it yours."
  default     = "thumbnails-example"
  nullable    = false
}

variable "region" {
  type        = string
  description = "AWS region of the stack."
  default     = "us-east-1"
  nullable    = false
}

variable "replace_existing_notifications" {
  type        = bool
  description = "Take the source bucket's notification configuration over even where it holds rules this module does not recognise as its own: after a rename of the function its earlier rules name the old function."
  default     = false
  nullable    = false
}

variable "runtime" {
  type        = string
  description = "Lambda runtime; the local endpoint needs the local Python's (python3.11 here)."
  default     = "python3.13"
  nullable    = false
}

variable "thumbnail_sizes" {
  type        = list(string)
  description = "Thumbnail sizes: longest edges (1024) and boxes cropped to their detail (\"128x128\")."
  default     = ["1024", "256", "128x128"]
  nullable    = false
}

variable "tls_only" {
  type        = bool
  description = "Refuse plain-HTTP requests to the buckets: a bucket policy denies every request without TLS (aws:SecureTransport false). Local runs (make demo, the end-to-end tests) turn it off: the local endpoint speaks plain HTTP."
  default     = true
  nullable    = false
}
