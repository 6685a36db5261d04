variable "account_id" {
  type        = string
  description = "Account the function and its role live in: the trust policy admits Lambda only on its behalf (aws:SourceAccount). Null: read with aws_caller_identity."
  default     = null
}

variable "architecture" {
  type        = string
  description = "Instruction set of the function: x86_64 or arm64."
  default     = "x86_64"
  nullable    = false

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64; got \"${var.architecture}\"."
  }
}

variable "artifacts_dir" {
  type        = string
  description = "Directory the function ZIP is written to. Null: .terraform/thumbnails under the root module."
  default     = null
}

variable "bucket_kms_key_arns" {
  type        = list(string)
  description = "KMS keys of SSE-KMS encrypted buckets the function reads or writes (kms:Decrypt, kms:GenerateDataKey)."
  default     = []
  nullable    = false
}

variable "cloudwatch_logs_kms_key_arn" {
  type        = string
  description = "KMS key that encrypts the function's log group (its key policy must let logs.<region>.amazonaws.com use it). Null: CloudWatch Logs' own encryption."
  default     = null
}

variable "code_signing_config_arn" {
  type        = string
  description = "Code signing configuration the function's code must satisfy (aws_lambda_code_signing_config; the ZIP is then deployed through your signing job). Null: none."
  default     = null
}

variable "create_role" {
  type        = bool
  description = "Create the function's execution role here (least privilege, see policy_json). false: bring your own with role_arn; it needs the permissions in the policy_json output."
  default     = true
  nullable    = false
}

variable "dead_letter_target_arn" {
  type        = string
  description = "SQS queue or SNS topic that receives asynchronous events whose retries are exhausted (the classic dead-letter queue; on_failure_destination_arn also carries the error). Null: none."
  default     = null

  validation {
    condition     = var.dead_letter_target_arn == null || can(regex("^arn:[^:]+:(sqs|sns):", coalesce(var.dead_letter_target_arn, "x")))
    error_message = "dead_letter_target_arn must be the ARN of an SQS queue or an SNS topic; got \"${coalesce(var.dead_letter_target_arn, "null")}\"."
  }
}

variable "environment_variables" {
  type        = map(string)
  description = "Environment variables of the function."
  default     = {}
  nullable    = false
}

variable "ephemeral_storage_size" {
  type        = number
  description = "Size of /tmp in MB (512 to 10240); the object is downloaded there."
  default     = 1024
  nullable    = false

  validation {
    condition     = var.ephemeral_storage_size >= 512 && var.ephemeral_storage_size <= 10240
    error_message = "ephemeral_storage_size must be between 512 and 10240 MB; got ${var.ephemeral_storage_size}."
  }
}

variable "function_name" {
  type        = string
  description = "Name of the Lambda function (and of its role and log group)."
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1 to 64 letters, digits, hyphens or underscores; got \"${var.function_name}\"."
  }
}

variable "handler" {
  type        = string
  description = "Module and function Lambda calls."
  default     = "app.handler"
  nullable    = false
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key that encrypts the function's environment variables at rest (they hold bucket names and settings, never a secret). Null: Lambda's AWS-managed key."
  default     = null
}

variable "layers" {
  type        = list(string)
  description = "Layer version ARNs, in order: Lambda extracts them into /opt one after another, a later file wins."
  default     = []
  nullable    = false

  validation {
    condition     = length(var.layers) <= 5
    error_message = "layers may hold at most 5 layer ARNs (the Lambda limit); got ${length(var.layers)}."
  }
}

variable "log_format" {
  type        = string
  description = "Lambda's log format: \"JSON\" (the runtime writes each record as a JSON object and applies log_level and system_log_level) or \"Text\" (the function writes the same fields as one JSON line itself, at INFO and above)."
  default     = "JSON"
  nullable    = false

  validation {
    condition     = contains(["JSON", "Text"], var.log_format)
    error_message = "log_format must be \"JSON\" or \"Text\" (Lambda's two log formats); got \"${var.log_format}\"."
  }
}

variable "log_level" {
  type        = string
  description = "The function's application log level (logging_config; the root module validates it)."
  default     = "INFO"
  nullable    = false
}

variable "log_retention_in_days" {
  type        = number
  description = "How long the function's logs are kept. 0: forever."
  default     = 30
  nullable    = false

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the values CloudWatch Logs accepts (0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653); got ${var.log_retention_in_days}."
  }
}

variable "maximum_event_age_in_seconds" {
  type        = number
  description = "How long Lambda keeps retrying an asynchronous event (60 to 21600 s)."
  default     = 21600
  nullable    = false

  validation {
    condition     = var.maximum_event_age_in_seconds >= 60 && var.maximum_event_age_in_seconds <= 21600
    error_message = "maximum_event_age_in_seconds must be between 60 and 21600 seconds; got ${var.maximum_event_age_in_seconds}."
  }
}

variable "maximum_retry_attempts" {
  type        = number
  description = "Retries of a failed asynchronous invocation (0 to 2)."
  default     = 2
  nullable    = false

  validation {
    condition     = var.maximum_retry_attempts >= 0 && var.maximum_retry_attempts <= 2 && floor(var.maximum_retry_attempts) == var.maximum_retry_attempts
    error_message = "maximum_retry_attempts must be a whole number between 0 and 2; got ${var.maximum_retry_attempts}."
  }
}

variable "memory_size" {
  type        = number
  description = "Memory of the function in MB (128 to 10240); CPU grows with it."
  default     = 1024
  nullable    = false

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB; got ${var.memory_size}."
  }
}

variable "on_failure_destination_arn" {
  type        = string
  description = "SQS queue, SNS topic, Lambda function, EventBridge bus or S3 bucket that receives events whose retries are exhausted. Null: none."
  default     = null

  validation {
    condition     = var.on_failure_destination_arn == null || can(regex("^arn:[^:]+:(sqs|sns|lambda|events|s3):", var.on_failure_destination_arn))
    error_message = "on_failure_destination_arn must be the ARN of an SQS queue, SNS topic, Lambda function, EventBridge bus or S3 bucket; got \"${coalesce(var.on_failure_destination_arn, "null")}\"."
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
  description = "A released function ZIP to deploy as it is, already verified (the root module's prebuilt): in S3 (s3_bucket, s3_key, s3_object_version) or a local file (filename), with its SHA-256 in base64. Null: package source_dir here."
  default     = null
}

variable "python_executable" {
  type        = string
  description = "Python that packages the sources on the machine running Terraform."
  default     = "python3"
  nullable    = false
}

variable "read_access" {
  type = object({
    bucket  = string
    prefix  = optional(string, "")
    account = optional(string)
  })
  description = "Objects the function may read: s3:GetObject on bucket/prefix*, and s3:ListBucket on the bucket for keys under prefix (to tell a deleted object from a denied one). account: the bucket's owner, required by an s3:ResourceAccount condition on each statement (null: no condition)."
  nullable    = false
}

variable "reserved_concurrent_executions" {
  type        = number
  description = "Concurrency reserved for the function; -1: unreserved, 0: throttled."
  default     = -1
  nullable    = false

  validation {
    condition     = var.reserved_concurrent_executions >= -1
    error_message = "reserved_concurrent_executions must be -1 (unreserved) or more; got ${var.reserved_concurrent_executions}."
  }
}

variable "role_arn" {
  type        = string
  description = "ARN of an existing execution role, used when create_role = false."
  default     = null

  validation {
    condition     = var.create_role ? var.role_arn == null : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.role_arn))
    error_message = "role_arn must be the ARN of an IAM role (arn:aws:iam::<account>:role/<name>) when create_role = false, and null otherwise; got ${jsonencode(var.role_arn)} with create_role = ${var.create_role}."
  }
}

variable "role_name" {
  type        = string
  description = "Name of the execution role this module creates. Null: \"<function_name>-<region>\", so the same stack fits in several regions of one account."
  default     = null

  validation {
    condition     = var.role_name == null || can(regex("^[\\w+=,.@-]{1,64}$", var.role_name))
    error_message = "role_name must be 1 to 64 letters, digits or +=,.@_- (IAM's rule for role names); got ${jsonencode(var.role_name)}."
  }
}

variable "role_path" {
  type        = string
  description = "IAM path of the execution role this module creates."
  default     = "/"
  nullable    = false

  validation {
    condition     = can(regex("^/([\\x21-\\x7e]{0,510}/)?$", var.role_path))
    error_message = "role_path must begin and end with / (IAM's rule for paths, at most 512 characters); got \"${var.role_path}\"."
  }
}

variable "role_permissions_boundary" {
  type        = string
  description = "ARN of the managed policy that bounds the execution role this module creates. Null: none."
  default     = null

  validation {
    condition     = var.role_permissions_boundary == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/", var.role_permissions_boundary))
    error_message = "role_permissions_boundary must be the ARN of an IAM managed policy (arn:aws:iam::<account>:policy/<name>); got ${jsonencode(var.role_permissions_boundary)}."
  }
}

variable "role_policy_arns" {
  type        = list(string)
  description = "Managed policies attached to the execution role this module creates, beside its own inline policy (an organisation's baseline, a permission the function's extensions need)."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.role_policy_arns : can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", arn))])
    error_message = "role_policy_arns must hold ARNs of IAM managed policies (arn:aws:iam::<account or aws>:policy/<name>); got ${jsonencode(var.role_policy_arns)}."
  }
}

variable "role_policy_statements" {
  type = list(object({
    sid       = optional(string)
    effect    = optional(string, "Allow")
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  description = "More statements in the execution role's policy (and in policy_json), after the module's own: for what the function does beyond thumbnails, such as an extension's permissions."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for s in var.role_policy_statements : contains(["Allow", "Deny"], s.effect) && length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "role_policy_statements must each have effect \"Allow\" or \"Deny\" and at least one action and one resource; got ${jsonencode([for s in var.role_policy_statements : { sid = s.sid, effect = s.effect, actions = length(s.actions), resources = length(s.resources) }])}."
  }
}

variable "runtime" {
  type        = string
  description = "Lambda Python runtime: python3.10 to python3.14 (python3.14 needs hashicorp/aws 6.21 or later; an older provider refuses it)."
  default     = "python3.13"
  nullable    = false

  validation {
    condition     = contains(["python3.10", "python3.11", "python3.12", "python3.13", "python3.14"], var.runtime)
    error_message = "runtime must be one of python3.10, python3.11, python3.12, python3.13, python3.14; got \"${var.runtime}\"."
  }
}

variable "secret" {
  type = object({
    arn         = string
    kms_key_arn = optional(string)
  })
  description = "A Secrets Manager secret the function reads (the catalogue's login): secretsmanager:GetSecretValue on it alone, and kms:Decrypt on its customer-managed key, if any, through Secrets Manager only. Null: none."
  default     = null
}

variable "source_dir" {
  type        = string
  description = "Directory of the function's sources; every file but caches, tests and hidden files is packaged."
  nullable    = false
}

variable "system_log_level" {
  type        = string
  description = "The level of Lambda's own lines in the function's log (logging_config; the root module validates it)."
  default     = "INFO"
  nullable    = false
}

variable "tags" {
  type        = map(string)
  description = "Tags of every resource that takes them."
  default     = {}
  nullable    = false
}

variable "timeout" {
  type        = number
  description = "Seconds an invocation may run (1 to 900)."
  default     = 60
  nullable    = false

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900 seconds (the Lambda maximum); got ${var.timeout}."
  }
}

variable "tracing_mode" {
  type        = string
  description = "X-Ray tracing: \"Active\" samples and traces invocations (X-Ray charges per trace; the role gets xray:PutTraceSegments), \"PassThrough\" only follows an upstream decision."
  default     = "PassThrough"
  nullable    = false

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be \"Active\" or \"PassThrough\"; got \"${var.tracing_mode}\"."
  }
}

variable "vpc" {
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  description = "Private subnets and security groups to run the function in (it then needs a route to S3, such as a gateway endpoint); the role may manage network interfaces there only. Null: Lambda's own network."
  default     = null
}

variable "write_access" {
  type = object({
    bucket  = string
    prefix  = optional(string, "")
    delete  = optional(bool, false)
    tags    = optional(bool, false)
    account = optional(string)
  })
  description = "Objects the function may write: s3:PutObject on bucket/prefix*; with delete, s3:GetObject, s3:DeleteObject and s3:ListBucket there (to remove a deleted object's thumbnails); with tags, s3:PutObjectTagging. account: the bucket's owner (s3:ResourceAccount; null: none)."
  nullable    = false
}
