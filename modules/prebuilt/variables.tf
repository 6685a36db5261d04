variable "directory" {
  type        = string
  description = "Directory holding the released files (downloaded release assets). Null: s3_bucket."
  default     = null
}

variable "files" {
  type        = list(string)
  description = "Names of the released files the stack uses (the function ZIP, its layer ZIP)."
  nullable    = false
}

variable "pins" {
  type = map(object({
    sha256        = string
    sha256_base64 = string
  }))
  description = "The digests this module version pins, by file name (release/artifacts.json)."
  nullable    = false
}

variable "release" {
  type        = string
  description = "The release the pins belong to, for messages."
  nullable    = false
}

variable "s3_bucket" {
  type        = string
  description = "Bucket holding the released files, in the functions' region. Null: directory."
  default     = null
}

variable "s3_prefix" {
  type        = string
  description = "Key prefix of the released files in s3_bucket (with or without a trailing slash)."
  default     = ""
  nullable    = false
}

variable "unavailable" {
  type        = map(string)
  description = "Files the release does not have, with why (no wheel runs on that runtime and architecture)."
  default     = {}
  nullable    = false
}
