variable "deletion_protection" {
  type        = bool
  description = "Protect the database from terraform destroy (and keep a final snapshot when it is destroyed)."
  default     = true
  nullable    = false
}

variable "function_name" {
  type        = string
  description = "Name of the thumbnail function. Null: the module's default, \"thumbnails-<source bucket>\"."
  default     = null
}

variable "instance_class" {
  type        = string
  description = "RDS instance class of the catalogue database."
  default     = "db.t4g.micro"
  nullable    = false
}

variable "layer_build_target" {
  type        = string
  description = "\"lambda\" for AWS; \"host\" to build the layer for this machine's Python, for the local endpoint."
  default     = "lambda"
  nullable    = false
}

variable "mysql_version" {
  type        = string
  description = "MySQL engine version of the catalogue database."
  default     = "8.4"
  nullable    = false
}

variable "name_prefix" {
  type        = string
  description = "Prefix of the bucket, network and database names; bucket names are global, so make it yours."
  default     = "thumbnails-catalogue"
  nullable    = false
}

variable "region" {
  type        = string
  description = "AWS region of the stack."
  default     = "us-east-1"
  nullable    = false
}

variable "runtime" {
  type        = string
  description = "Lambda runtime of the function."
  default     = "python3.13"
  nullable    = false
}

variable "tls_only" {
  type        = bool
  description = "Refuse plain-HTTP requests to the buckets: a bucket policy denies every request without TLS (aws:SecureTransport false). Local runs (make demo, the end-to-end tests) turn it off: the local endpoint speaks plain HTTP."
  default     = true
  nullable    = false
}

variable "vpc_cidr" {
  type        = string
  description = "Address range of the VPC; the private subnets are its first /20s (with the default /16)."
  default     = "10.20.0.0/16"
  nullable    = false
}
