variable "architecture" {
  type        = string
  description = "Instruction set the layer's binary wheels are built for: x86_64 or arm64."
  default     = "x86_64"
  nullable    = false

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64; got \"${var.architecture}\"."
  }
}

variable "artifacts_dir" {
  type        = string
  description = "Directory the layer ZIP is written to. Null: .terraform/thumbnails under the root module, which Terraform users already keep out of version control."
  default     = null
}

variable "build_target" {
  type        = string
  description = "\"lambda\": binary wheels for the Lambda runtime's Python, glibc and architecture (what AWS runs). \"host\": wheels for the Python that runs the build on this machine, for the project's local endpoint, which executes the layer with the local Python; the runtime must then match that Python."
  default     = "lambda"
  nullable    = false

  validation {
    condition     = contains(["lambda", "host"], var.build_target)
    error_message = "build_target must be \"lambda\" or \"host\"; got \"${var.build_target}\"."
  }
}

variable "exclude_files" {
  type        = list(string)
  description = "Files of glob patterns (relative to python/) of installed files to leave out of the layer, such as optional native extensions the function never loads. []: keep everything."
  default     = []
  nullable    = false
}

variable "index_url" {
  type        = string
  description = "The package index the build installs from, over the runner's own. Null: the runner's pip configuration decides (PIP_INDEX_URL, pip.conf, else PyPI); its other settings (extra index, find-links, PIP_CERT) are read either way, and a lock's hashes still decide the wheels (docs/layer.md)."
  default     = null
}

variable "layer_name" {
  type        = string
  description = "Name of the layer; each build publishes a new version of it."
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,140}$", var.layer_name))
    error_message = "layer_name must be 1 to 140 letters, digits, hyphens or underscores; got \"${var.layer_name}\"."
  }
}

variable "package" {
  type = object({
    name              = string
    s3_bucket         = optional(string)
    s3_key            = optional(string)
    s3_object_version = optional(string)
    filename          = optional(string)
    source_code_hash  = string
  })
  description = "A released layer ZIP to publish as it is, already verified (the root module's prebuilt): in S3 (s3_bucket, s3_key, s3_object_version) or a local file (filename), with its SHA-256 in base64. Null: build the ZIP here."
  default     = null
}

variable "python_executable" {
  type        = string
  description = "Python (with pip) that runs the build on the machine running Terraform."
  default     = "python3"
  nullable    = false
}

variable "requirements_files" {
  type        = list(string)
  description = "pip requirements files of what the layer installs under python/, installed together (one resolution). Lock files (every requirement with --hash, as `make lock` writes) are installed with --require-hashes."
  nullable    = false

  validation {
    condition     = length(var.requirements_files) > 0
    error_message = "requirements_files must name at least one pip requirements file; got []."
  }
}

variable "runtime" {
  type        = string
  description = "Lambda runtime the layer is built for and compatible with: python3.10 to python3.14 (python3.14 needs hashicorp/aws 6.21 or later; an older provider refuses it)."
  default     = "python3.13"
  nullable    = false

  validation {
    condition     = contains(["python3.10", "python3.11", "python3.12", "python3.13", "python3.14"], var.runtime)
    error_message = "runtime must be one of python3.10, python3.11, python3.12, python3.13, python3.14; got \"${var.runtime}\"."
  }
}

variable "s3_bucket" {
  type        = string
  description = "Bucket to upload the layer ZIP through, needed when it is larger than the 50 MB Lambda accepts directly. Null: upload directly."
  default     = null
}
