# Inputs of the thumbnails module, alphabetical. Limits are checked at plan, each with a sentence naming the
# variable, the range and the value; the submodules check the Lambda settings they own.

variable "account_id" {
  type        = string
  description = "Account the function and its role live in (the provider's): the role's trust policy admits Lambda only on behalf of this account (aws:SourceAccount), and the buckets' owners default to it. Null: read with aws_caller_identity."
  default     = null

  validation {
    condition     = var.account_id == null || can(regex("^[0-9]{12}$", coalesce(var.account_id, "x")))
    error_message = "account_id must be a 12-digit AWS account ID; got \"${coalesce(var.account_id, "null")}\"."
  }
}

variable "alarms" {
  type = object({
    topic_arn          = string
    refused            = optional(number, 1)
    transient_failures = optional(number, 5)
    errors             = optional(number, 1)
    throttles          = optional(number, 1)
    period             = optional(number, 300)
  })
  description = "CloudWatch alarms (modules/alarms) notifying topic_arn: uploads refused (which do not fail the invocation, so only this says so), transient failures, the function's errors and throttles, each a count within period seconds. Null: no alarms."
  default     = null
}

variable "animation" {
  type = object({
    enabled    = optional(bool, true)
    max_frames = optional(number, 1000)
    max_pixels = optional(number, 50000000)
  })
  description = "Animated GIF, WebP and PNG stay animated (as animated WebP under output_format auto) within max_frames frames and max_pixels frames x width x height; beyond either, or with enabled = false, the first frame makes a still. Details: the README, \"Inputs in detail\"."
  default     = {}
  nullable    = false

  validation {
    condition     = var.animation.max_pixels >= 1 && var.animation.max_pixels <= 10000000000 && floor(var.animation.max_pixels) == var.animation.max_pixels
    error_message = "animation.max_pixels must be a whole number between 1 and 10000000000 frame pixels; got ${var.animation.max_pixels}."
  }
  validation {
    condition     = var.animation.max_frames >= 1 && var.animation.max_frames <= 100000 && floor(var.animation.max_frames) == var.animation.max_frames
    error_message = "animation.max_frames must be a whole number between 1 and 100000 frames; got ${var.animation.max_frames}."
  }
}

variable "architecture" {
  type        = string
  description = "Instruction set of the function and of the layer's binary wheels: x86_64 or arm64."
  default     = "x86_64"
  nullable    = false
}

variable "batch_operations" {
  type = object({
    bucket = optional(string)                      # null: destination_bucket
    prefix = optional(string, "batch-operations/") # manifests under {prefix}manifests/, reports under {prefix}reports/
  })
  description = "The role S3 Batch Operations assumes for the thumbnails command (modules/batch-operations): it may invoke this function, read {prefix}manifests/ and write {prefix}reports/ of bucket. Null: no role (status still works)."
  default     = null

  validation {
    condition     = var.batch_operations == null || can(regex("^[A-Za-z0-9!_.*'()/-]{1,160}/$", try(var.batch_operations.prefix, "")))
    error_message = "batch_operations.prefix must be 2 to 161 characters of letters, digits and !_.*'()/- ending in / (it is written into the function's tags); got \"${try(var.batch_operations.prefix, "")}\"."
  }

  validation {
    condition     = var.batch_operations == null || !startswith(try(var.batch_operations.prefix, ""), "/")
    error_message = "batch_operations.prefix must not start with \"/\" (S3 keys have no leading slash); got \"${try(var.batch_operations.prefix, "")}\"."
  }

  validation {
    condition     = var.batch_operations == null || coalesce(try(var.batch_operations.bucket, null), var.destination_bucket, var.source_bucket) != coalesce(var.destination_bucket, var.source_bucket) || !startswith(try(var.batch_operations.prefix, ""), var.destination_prefix)
    error_message = "batch_operations.prefix must not be under destination_prefix in the destination bucket (reports there would be taken for thumbnails); got \"${try(var.batch_operations.prefix, "")}\" under \"${var.destination_prefix}\"."
  }
}

variable "bucket_kms_key_arns" {
  type        = list(string)
  description = "KMS keys of SSE-KMS encrypted source or destination buckets: the role may use them through S3 (kms:Decrypt, kms:GenerateDataKey). Not kms_key_arn, the key of the function's environment."
  default     = []
  nullable    = false
}

variable "build" {
  type = object({
    artifacts_dir      = optional(string)           # null: .terraform/thumbnails under the root module
    index_url          = optional(string)           # null: the runner's pip configuration (docs/layer.md)
    layer_target       = optional(string, "lambda") # "lambda", or "host" for the project's local endpoint
    layer_s3_bucket    = optional(string)           # upload the layer through S3 (needed above 50 MB)
    layer_exclude_file = optional(string)           # null: this module's layer/exclude.txt
    python_executable  = optional(string, "python3")
    requirements_file  = optional(string) # null: this module's layer/requirements.lock (hashes checked)
    source_dir         = optional(string) # null: this module's function/
  })
  description = "How the two ZIPs are built on the machine running Terraform. layer_target = \"lambda\" fetches binary wheels for the runtime's Python, glibc and architecture; \"host\" builds them for the local Python instead, for the local endpoint (docs/layer.md)."
  default     = {}
  nullable    = false

  validation {
    condition     = contains(["lambda", "host"], var.build.layer_target)
    error_message = "build.layer_target must be \"lambda\" or \"host\"; got \"${var.build.layer_target}\"."
  }
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

variable "colour" {
  type        = string
  description = "keep: a picture tagged with a colour profile (Display P3, Adobe RGB) keeps it in its thumbnails; srgb: every tagged picture is converted to sRGB and no profile is written. CMYK is always converted to sRGB through its profile."
  default     = "keep"
  nullable    = false

  validation {
    condition     = contains(["keep", "srgb"], var.colour)
    error_message = "colour must be \"keep\" or \"srgb\"; got \"${var.colour}\"."
  }
}

variable "create_layer" {
  type        = bool
  description = "Build and publish the layer of layer/requirements.txt. false: bring Pillow in layer_arns instead."
  default     = true
  nullable    = false
}

variable "create_role" {
  type        = bool
  description = "Create the function's execution role here (least privilege). false: bring your own with role_arn, and attach the policy_json output to it."
  default     = true
  nullable    = false
}

variable "crop" {
  type        = string
  description = "How a box size (\"200x200\" in thumbnail_sizes) is filled: \"entropy\" keeps the most detailed part of the picture (libvips' smartcrop measure), \"centre\" its middle."
  default     = "entropy"
  nullable    = false

  validation {
    condition     = contains(["entropy", "centre"], var.crop)
    error_message = "crop must be \"entropy\" or \"centre\"; got \"${var.crop}\"."
  }
}

variable "database" {
  type = object({
    secret_arn  = string
    kms_key_arn = optional(string)
    table       = optional(string, "thumbnails")
    host        = optional(string)
    port        = optional(number)
    name        = optional(string)
    tls         = optional(string, "require")
    ca_bundle   = optional(string)
  })
  description = "The image catalogue: one row per thumbnail in a MySQL/MariaDB table, the login read from the Secrets Manager secret secret_arn, over TLS (tls: require, verify against ca_bundle, or disable). Null: no catalogue; details in the README, \"The image catalogue\"."
  default     = null

  validation {
    condition     = var.database == null || can(regex("^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+-[A-Za-z0-9]{6}$", var.database.secret_arn))
    error_message = "database.secret_arn must be the full ARN of a Secrets Manager secret (arn:...:secretsmanager:<region>:<account>:secret:<name>-<6 characters>); got ${jsonencode(try(var.database.secret_arn, null))}."
  }
  validation {
    condition     = var.database == null || can(regex("^[A-Za-z0-9_]{1,48}$", var.database.table))
    error_message = "database.table must be 1 to 48 letters, digits or underscores (the function adds <table>_migrations beside it); got ${jsonencode(try(var.database.table, null))}."
  }
  validation {
    condition     = try(var.database.port, null) == null || try(var.database.port >= 1 && var.database.port <= 65535 && floor(var.database.port) == var.database.port, false)
    error_message = "database.port must be a whole number between 1 and 65535 or null (the secret's port, else 3306); got ${jsonencode(try(var.database.port, null))}."
  }
  validation {
    condition     = var.database == null || try(contains(["require", "verify", "disable"], var.database.tls) && (var.database.tls != "verify" || var.database.ca_bundle != null), false)
    error_message = "database.tls must be require, verify (with database.ca_bundle, the CA bundle that signed the database's certificate) or disable; got tls = ${jsonencode(try(var.database.tls, null))} and ca_bundle = ${jsonencode(try(var.database.ca_bundle, null))}."
  }
  validation {
    condition     = try(var.database.kms_key_arn, null) == null || can(regex("^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.database.kms_key_arn))
    error_message = "database.kms_key_arn must be the ARN of a KMS key (arn:...:kms:<region>:<account>:key/<id>) or null; got ${jsonencode(try(var.database.kms_key_arn, null))}."
  }
}

variable "dead_letter_target_arn" {
  type        = string
  description = "SQS queue or SNS topic that receives asynchronous events whose retries are exhausted (the classic dead-letter queue; on_failure_destination_arn also carries the error). Null: none."
  default     = null
}

variable "delete_thumbnails" {
  type        = bool
  description = "Remove an object's thumbnails when it is deleted or expires: adds s3:ObjectRemoved:* and s3:LifecycleExpiration:* to the trigger, and lets the role list and delete under destination_prefix. A non-current version's removal keeps them."
  default     = true
  nullable    = false
}

variable "destination_account" {
  type        = string
  description = "Account that owns destination_bucket: every write passes it as ExpectedBucketOwner and the role's statements require it (s3:ResourceAccount), so a bucket name freed and registered by another account is never written to. Null: account_id."
  default     = null

  validation {
    condition     = var.destination_account == null || can(regex("^[0-9]{12}$", coalesce(var.destination_account, "x")))
    error_message = "destination_account must be a 12-digit AWS account ID; got \"${coalesce(var.destination_account, "null")}\"."
  }
}

variable "destination_bucket" {
  type        = string
  description = "Bucket thumbnails are written to. Null: the source bucket (then the trigger's filter must not match the destination prefix)."
  default     = null
}

variable "destination_prefix" {
  type        = string
  description = "Prefix of every thumbnail key: {destination_prefix}{size}/{source key}."
  default     = "thumbnails/"
  nullable    = false

  validation {
    condition     = !startswith(var.destination_prefix, "/")
    error_message = "destination_prefix must not start with \"/\" (S3 keys have no leading slash); got \"${var.destination_prefix}\"."
  }

  validation {
    condition = !(
      coalesce(var.destination_bucket, var.source_bucket) == var.source_bucket &&
      (startswith(var.destination_prefix, var.filter_prefix) || startswith(var.filter_prefix, var.destination_prefix))
    )
    error_message = "This configuration would loop: thumbnails go to the source bucket \"${var.source_bucket}\" under destination_prefix \"${var.destination_prefix}\", and the trigger's filter_prefix \"${var.filter_prefix}\" matches keys there, so every thumbnail would trigger the function again. Use another destination_bucket, or a filter_prefix and destination_prefix of which neither starts with the other (for example filter_prefix = \"uploads/\", destination_prefix = \"thumbnails/\")."
  }
}

variable "environment_variables" {
  type        = map(string)
  description = "More environment variables for the function, beside those the module sets from its inputs (listed in the README, \"Inputs in detail\")."
  default     = {}
  nullable    = false

  validation {
    condition     = length(setintersection(keys(var.environment_variables), keys(local.environment))) == 0
    error_message = "environment_variables must not set ${join(", ", sort(setintersection(keys(var.environment_variables), keys(local.environment))))}: the module sets them from its own inputs (the README, \"Inputs in detail\", names the input of each); got keys ${jsonencode(sort(keys(var.environment_variables)))}."
  }
}

variable "ephemeral_storage_size" {
  type        = number
  description = "Size of the function's /tmp in MB, 512 to 10240: the largest upload must fit."
  default     = 1024
  nullable    = false
}

variable "events" {
  type        = list(string)
  description = "S3 events that make thumbnails; s3:ObjectCreated:* includes multipart uploads and copies. Removal events come from delete_thumbnails."
  default     = ["s3:ObjectCreated:*"]
  nullable    = false
}

variable "extra_formats" {
  type        = list(string)
  description = "Inputs beyond JPEG, PNG, WebP and GIF: \"heif\" (HEIC), \"avif\", \"pdf\" (its first page) and \"video\" (a poster frame of MP4, MOV and WebM, from a GPL layer of its own built on the runner); each adds to the layer and the first invocation (docs/formats.md, docs/previews.md)."
  default     = []
  nullable    = false

  validation {
    condition     = length(setsubtract(var.extra_formats, ["heif", "avif", "pdf", "video"])) == 0
    error_message = "extra_formats may hold \"heif\", \"avif\", \"pdf\" and \"video\"; got ${jsonencode(var.extra_formats)}."
  }

  validation {
    condition     = !contains(var.extra_formats, "video") || !contains(["python3.10", "python3.11"], var.runtime)
    error_message = "extra_formats = \"video\" needs python3.12 or later (PyAV's wheels need Amazon Linux 2023's glibc); runtime is \"${var.runtime}\"."
  }
}

variable "filter_prefix" {
  type        = string
  description = "Only uploads under this prefix trigger the function. \"\" (the default): every key; thumbnails in the source bucket then need a filter_prefix that destination_prefix does not match (the plan stops and says so)."
  default     = ""
  nullable    = false
}

variable "filter_suffixes" {
  type        = list(string)
  description = "Only keys ending with one of these trigger the function (S3 compares case-sensitively). Null: the suffixes of the formats that are on, in lower and upper case; []: any key."
  default     = null
}

variable "function_name" {
  type        = string
  description = "Name of the function, and the start of its role, log group, layer, queue, rule and alarm names. Null: \"thumbnails-<source_bucket>\" (dots as hyphens, at most 40 characters: README, \"Names, regions and roles\"), so instances for different buckets never collide."
  default     = null

  validation {
    condition     = var.function_name == null || can(regex("^[A-Za-z0-9_-]{1,64}$", coalesce(var.function_name, "x")))
    error_message = "function_name must be 1 to 64 letters, digits, hyphens or underscores; got ${jsonencode(var.function_name)}. Null names it for the source bucket."
  }
}

variable "jpeg" {
  type = object({
    progressive = optional(bool, false)
  })
  description = "How JPEG thumbnails are written: progressive scans (a coarse picture first, refined as it loads) or one baseline scan. The default is chosen by measurement (docs/formats.md, \"Progressive JPEG\")."
  default     = {}
  nullable    = false
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key that encrypts the function's environment variables at rest (they hold bucket names and settings, never a secret). Null: Lambda's AWS-managed key."
  default     = null
}

variable "layer_arns" {
  type        = list(string)
  description = "Existing layer version ARNs (for example a public Pillow layer), extracted after this module's layer: a file in a later layer wins. At most 5 layers in all."
  default     = []
  nullable    = false

  validation {
    condition     = length(var.layer_arns) + (var.create_layer ? (contains(var.extra_formats, "video") ? 2 : 1) : 0) <= 5
    error_message = "A function takes at most 5 layers: layer_arns has ${length(var.layer_arns)}${var.create_layer ? (contains(var.extra_formats, "video") ? " and create_layer adds 2 (extra_formats has \"video\": its own layer)" : " and create_layer adds 1") : ""}."
  }
}

variable "log_format" {
  type        = string
  description = "Lambda's log format: \"JSON\" (the runtime writes each record as a JSON object and applies log_level and system_log_level) or \"Text\" (the function writes the same fields as one JSON line itself, at INFO and above)."
  default     = "JSON"
  nullable    = false
}

variable "log_level" {
  type        = string
  description = "The function's application log level (Lambda's logging_config, with log_format = \"JSON\"): TRACE, DEBUG, INFO, WARN, ERROR or FATAL. Lambda's runtime drops the function's log records below it; DEBUG adds one line per execution environment and client made."
  default     = "INFO"
  nullable    = false

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR or FATAL; got \"${var.log_level}\"."
  }
}

variable "log_retention_in_days" {
  type        = number
  description = "Days the function's logs are kept (a CloudWatch Logs value; 0: forever)."
  default     = 30
  nullable    = false
}

variable "manage_bucket_eventbridge" {
  type        = bool
  description = "With trigger = \"eventbridge\" (or sqs.source = \"eventbridge\"): turn on the bucket's EventBridge delivery here. It lives in the bucket's single notification configuration, which this then manages (the plan stops if it holds rules of others); leave false when the configuration's owner turns it on."
  default     = false
  nullable    = false
}

variable "max_image_pixels" {
  type        = number
  description = "Pictures with more pixels are refused before they are decoded (decompression bombs): at most 178956970 (Pillow's limit) and what memory_size can decode as a JPEG. Pictures that cost more a pixel are refused when they would not fit memory_size."
  default     = 50000000
  nullable    = false

  validation {
    condition     = var.max_image_pixels >= 1 && var.max_image_pixels <= 178956970 && floor(var.max_image_pixels) == var.max_image_pixels
    error_message = "max_image_pixels must be a whole number between 1 and 178956970 (Pillow's own decompression-bomb limit); got ${var.max_image_pixels}."
  }
  # A JPEG of max_image_pixels must fit memory_size: 7.5 bytes a pixel at its dearest, measured, a 20% margin, and
  # 128 MB for the runtime (function/thumbnailer/picture/memory.py; its test pins these numbers). Costlier pictures (WebP,
  # alpha or 16-bit PNG) are refused by the function, before decoding, when they would not fit.
  validation {
    condition     = var.max_image_pixels <= floor((var.memory_size - 128) * 1048576 / 9)
    error_message = "max_image_pixels = ${var.max_image_pixels} needs a memory_size of at least ${ceil(128 + var.max_image_pixels * 9 / 1048576)} MB to thumbnail a JPEG that large (7.5 bytes a pixel with a 20% margin, and 128 MB for the runtime); memory_size is ${var.memory_size}: raise memory_size, or lower max_image_pixels to ${max(0, floor((var.memory_size - 128) * 1048576 / 9))} or less."
  }
}

variable "max_object_bytes" {
  type        = number
  description = "Uploads larger than this are refused without being downloaded (and a picture's header is read first, so one with too many pixels is refused after 64 KiB). Default 100 MiB; at most 10 GiB, and it must fit ephemeral_storage_size."
  default     = 104857600
  nullable    = false

  validation {
    condition     = var.max_object_bytes >= 1 && var.max_object_bytes <= 10737418240 && floor(var.max_object_bytes) == var.max_object_bytes
    error_message = "max_object_bytes must be a whole number of bytes between 1 and 10737418240 (10 GiB); got ${var.max_object_bytes}."
  }
  validation {
    condition     = var.max_object_bytes <= var.ephemeral_storage_size * 1048576
    error_message = "max_object_bytes must fit the function's /tmp: at most ephemeral_storage_size (${var.ephemeral_storage_size} MB = ${format("%d", var.ephemeral_storage_size * 1048576)} bytes); got ${format("%d", var.max_object_bytes)}. Raise ephemeral_storage_size to ${ceil(var.max_object_bytes / 1048576)} or more, or lower max_object_bytes."
  }
}

variable "maximum_event_age_in_seconds" {
  type        = number
  description = "How long Lambda retries an event, 60 to 21600 s."
  default     = 21600
  nullable    = false
}

variable "maximum_retry_attempts" {
  type        = number
  description = "Retries of a failed invocation, 0 to 2."
  default     = 2
  nullable    = false
}

variable "memory_size" {
  type        = number
  description = "Memory of the function in MB, 128 to 10240 (CPU grows with it)."
  default     = 1024
  nullable    = false
}

variable "on_demand" {
  type = object({
    presets              = map(string)
    formats              = optional(list(string), ["avif", "webp", "jpeg"])
    signing_secret_arn   = optional(string)
    max_age              = optional(number, 86400)
    invalidate           = optional(bool, false)
    reserved_concurrency = optional(number)
    price_class          = optional(string, "PriceClass_100")
    web_acl_id           = optional(string)
  })
  description = "Thumbnails on first request: CloudFront answers /{preset}/{key} from the thumbnails bucket, or a second function makes the variant, stores it and answers; only presets are ever made (docs/on-demand.md). Null: off."
  default     = null

  validation {
    condition     = var.on_demand == null || (length(try(var.on_demand.presets, {})) >= 1 && length(try(var.on_demand.presets, {})) <= 50)
    error_message = "on_demand.presets must name between 1 and 50 sizes; got ${length(try(var.on_demand.presets, {}))}."
  }
  validation {
    condition     = var.on_demand == null || alltrue([for name in keys(try(var.on_demand.presets, {})) : can(regex("^[a-z][a-z0-9-]{0,31}$", name))])
    error_message = "on_demand.presets' names must be 1 to 32 lower-case letters, digits or '-', starting with a letter (a size such as 640x360 is no name); got ${jsonencode(keys(try(var.on_demand.presets, {})))}."
  }
  validation {
    condition     = var.on_demand == null || alltrue([for size in values(try(var.on_demand.presets, {})) : can(regex("^[1-9][0-9]{0,4}(x[1-9][0-9]{0,4})?$", size)) && try(alltrue([for side in split("x", size) : tonumber(side) <= 10000]), false)])
    error_message = "on_demand.presets' sizes must be longest edges (\"256\") or boxes (\"640x360\") as thumbnail_sizes writes them, every side between 1 and 10000 pixels; got ${jsonencode(values(try(var.on_demand.presets, {})))}."
  }
  validation {
    condition     = var.on_demand == null || (length(try(var.on_demand.formats, [])) > 0 && alltrue([for f in try(var.on_demand.formats, []) : contains(["avif", "webp", "jpeg", "png"], f)]) && length(distinct(try(var.on_demand.formats, []))) == length(try(var.on_demand.formats, [])))
    error_message = "on_demand.formats must hold avif, webp, jpeg or png, at least one and each at most once; got ${jsonencode(try(var.on_demand.formats, null))}."
  }
  validation {
    condition     = var.on_demand == null || !contains(try(var.on_demand.formats, []), "avif") || contains(var.extra_formats, "avif")
    error_message = "on_demand.formats has \"avif\", which needs the AVIF codec in the layer: add \"avif\" to extra_formats (it is ${jsonencode(var.extra_formats)})."
  }
  validation {
    condition     = try(var.on_demand.signing_secret_arn, null) == null || can(regex("^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", try(var.on_demand.signing_secret_arn, "")))
    error_message = "on_demand.signing_secret_arn must be the ARN of a Secrets Manager secret (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME); got ${jsonencode(try(var.on_demand.signing_secret_arn, null))}."
  }
  validation {
    condition     = coalesce(try(var.on_demand.max_age, null), 0) >= 0 && coalesce(try(var.on_demand.max_age, null), 0) <= 31536000 && floor(coalesce(try(var.on_demand.max_age, null), 0)) == coalesce(try(var.on_demand.max_age, null), 0)
    error_message = "on_demand.max_age must be a whole number of seconds between 0 and 31536000 (a year); got ${jsonencode(try(var.on_demand.max_age, null))}."
  }
  validation {
    condition     = coalesce(try(var.on_demand.reserved_concurrency, null), 1) >= 1 && coalesce(try(var.on_demand.reserved_concurrency, null), 1) <= 1000 && floor(coalesce(try(var.on_demand.reserved_concurrency, null), 1)) == coalesce(try(var.on_demand.reserved_concurrency, null), 1)
    error_message = "on_demand.reserved_concurrency must be null (unreserved) or a whole number between 1 and 1000 (Lambda's default account limit); got ${jsonencode(try(var.on_demand.reserved_concurrency, null))}."
  }
  validation {
    condition     = var.on_demand == null || contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], try(var.on_demand.price_class, ""))
    error_message = "on_demand.price_class must be PriceClass_100, PriceClass_200 or PriceClass_All; got ${jsonencode(try(var.on_demand.price_class, null))}."
  }
}

variable "on_failure_destination_arn" {
  type        = string
  description = "Where events go once retries are exhausted: an SQS queue, SNS topic, function, event bus or bucket ARN."
  default     = null
}

variable "output_format" {
  type        = string
  description = "auto (JPEG, PNG and WebP stay as they are, a still GIF becomes PNG, HEIF and AVIF become JPEG, an animation becomes animated WebP), jpeg, png, webp or avif (with \"avif\" in extra_formats)."
  default     = "auto"
  nullable    = false

  validation {
    condition     = contains(["auto", "jpeg", "png", "webp", "avif"], var.output_format)
    error_message = "output_format must be one of auto, jpeg, png, webp, avif; got \"${var.output_format}\"."
  }
  validation {
    condition     = var.output_format != "avif" || contains(var.extra_formats, "avif")
    error_message = "output_format = \"avif\" needs the AVIF codec in the layer: add \"avif\" to extra_formats (it is ${jsonencode(var.extra_formats)})."
  }
}

variable "output_formats" {
  type        = list(string)
  description = "Every size in each of these formats (jpeg, png, webp, avif), for a page's <picture> or a CDN choosing by Accept; each key then ends in its format's extension (cat.jpg -> cat.jpg.avif, cat.jpg.webp, cat.jpg.jpg). Empty: one format, output_format."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for f in var.output_formats : contains(["jpeg", "png", "webp", "avif"], f)]) && length(distinct(var.output_formats)) == length(var.output_formats)
    error_message = "output_formats must hold jpeg, png, webp or avif, each at most once; got ${jsonencode(var.output_formats)}."
  }
  validation {
    condition     = !contains(var.output_formats, "avif") || contains(var.extra_formats, "avif")
    error_message = "output_formats has \"avif\", which needs the AVIF codec in the layer: add \"avif\" to extra_formats (it is ${jsonencode(var.extra_formats)})."
  }
  validation {
    condition     = length(var.output_formats) == 0 || var.output_format == "auto"
    error_message = "Set output_formats or output_format, not both: output_formats is ${jsonencode(var.output_formats)} and output_format is \"${var.output_format}\"."
  }
}

variable "prebuilt" {
  type = object({
    s3_bucket = optional(string)
    s3_prefix = optional(string, "")
    directory = optional(string)
  })
  description = "Deploy the released ZIPs instead of building them on the runner, each verified at plan against the SHA-256 this module version pins: { s3_bucket, s3_prefix } (a bucket in the function's region) or { directory }. Null: build both ZIPs here (build)."
  default     = null

  validation {
    condition     = var.prebuilt == null || (try(var.prebuilt.s3_bucket, null) == null) != (try(var.prebuilt.directory, null) == null)
    error_message = "prebuilt must set either s3_bucket (with s3_prefix) or directory, not both and not neither; got ${jsonencode(var.prebuilt)}."
  }
}

variable "quality" {
  type        = number
  description = "JPEG and WebP quality, 1 to 95."
  default     = 85
  nullable    = false

  validation {
    condition     = var.quality >= 1 && var.quality <= 95 && floor(var.quality) == var.quality
    error_message = "quality must be a whole number between 1 and 95; got ${var.quality}."
  }
}

variable "replace_existing_notifications" {
  type        = bool
  description = "false: where the module writes the source bucket's notification configuration, it reads it at plan and stops if it holds rules the module did not write. true: skip the read and take the configuration over, dropping those rules (README, \"Sharing a bucket\")."
  default     = false
  nullable    = false
}

variable "reserved_concurrent_executions" {
  type        = number
  description = "Concurrency reserved for the function, and so its ceiling: it bounds what an upload storm costs. -1 (the default): unreserved; read the README, \"Inputs in detail\", before setting it."
  default     = -1
  nullable    = false
}

variable "role_arn" {
  type        = string
  description = "ARN of an existing execution role, used when create_role = false; it needs the permissions in the policy_json output."
  default     = null
}

variable "role_name" {
  type        = string
  description = "Name of the execution role this module creates. Null: \"<function_name>-<region>\", so the same stack fits in several regions of one account."
  default     = null
}

variable "role_path" {
  type        = string
  description = "IAM path of the execution role this module creates."
  default     = "/"
  nullable    = false
}

variable "role_permissions_boundary" {
  type        = string
  description = "ARN of the managed policy that bounds the execution role this module creates. Null: none."
  default     = null
}

variable "role_policy_arns" {
  type        = list(string)
  description = "Managed policies attached to the execution role this module creates, beside its own inline policy (an organisation's baseline, what an extension needs)."
  default     = []
  nullable    = false
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
  description = "More statements for the execution role's policy (and the policy_json output), after the module's own: for what the function does beyond thumbnails."
  default     = []
  nullable    = false
}

variable "runtime" {
  type        = string
  description = "Lambda Python runtime, python3.10 to python3.14; python3.14 needs hashicorp/aws 6.21 or later, the others work with every provider this module admits (5.76 and later). Details: the README, \"Inputs in detail\"."
  default     = "python3.13"
  nullable    = false
}

variable "sns_topic_arn" {
  type        = string
  description = "With trigger = \"sns\": the topic the bucket already publishes its events to (S3 -> SNS); the function is subscribed to it."
  default     = null
}

variable "source_account" {
  type        = string
  description = "Account that owns the source bucket: the permission's source_account, the ExpectedBucketOwner of every read and the role's s3:ResourceAccount condition. Null: account_id."
  default     = null
}

variable "source_bucket" {
  type        = string
  description = "Bucket whose uploads become thumbnails."
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.source_bucket))
    error_message = "source_bucket must be an S3 bucket name (3 to 63 lower-case letters, digits, dots, hyphens); got \"${var.source_bucket}\"."
  }
}

variable "source_metadata" {
  type        = bool
  description = "Thumbnails carry metadata naming their source (source-bucket, source-key, source-etag, source-version-id). false, for thumbnails served publicly: only a digest of the bucket and key (source-digest), which still lets a removal delete only its own thumbnails."
  default     = true
  nullable    = false
}

variable "sqs" {
  type = object({
    source                             = optional(string, "s3")
    batch_size                         = optional(number, 10)
    maximum_batching_window_in_seconds = optional(number, 0)
    maximum_concurrency                = optional(number)
    max_receive_count                  = optional(number, 5)
  })
  description = "With trigger = \"sqs\": where the queue's events come from (\"s3\" or \"eventbridge\"), the event source mapping's batch size, batching window and maximum concurrency, and the receives before the dead-letter queue."
  default     = {}
  nullable    = false

  validation {
    condition     = contains(["s3", "eventbridge"], var.sqs.source)
    error_message = "sqs.source must be \"s3\" or \"eventbridge\"; got \"${var.sqs.source}\"."
  }
  validation {
    condition     = var.sqs.batch_size >= 1 && var.sqs.batch_size <= 10000 && floor(var.sqs.batch_size) == var.sqs.batch_size
    error_message = "sqs.batch_size must be a whole number between 1 and 10000 (the SQS event source maximum); got ${var.sqs.batch_size}."
  }
  validation {
    condition     = var.sqs.maximum_batching_window_in_seconds >= (var.sqs.batch_size > 10 ? 1 : 0) && var.sqs.maximum_batching_window_in_seconds <= 300
    error_message = "sqs.maximum_batching_window_in_seconds must be between ${var.sqs.batch_size > 10 ? 1 : 0} and 300 seconds (Lambda needs at least 1 when batch_size is above 10); got ${var.sqs.maximum_batching_window_in_seconds}."
  }
  validation {
    condition     = var.sqs.maximum_concurrency == null || try(var.sqs.maximum_concurrency >= 2 && var.sqs.maximum_concurrency <= 1000, false)
    error_message = "sqs.maximum_concurrency must be between 2 and 1000 (Lambda's range), or null for no ceiling; got ${coalesce(var.sqs.maximum_concurrency, "null")}."
  }
  validation {
    condition     = var.sqs.max_receive_count >= 1 && var.sqs.max_receive_count <= 1000
    error_message = "sqs.max_receive_count must be between 1 and 1000 (the SQS redrive range); got ${var.sqs.max_receive_count}."
  }
}

variable "system_log_level" {
  type        = string
  description = "The level of Lambda's own lines in the function's log (platform.start, platform.report with duration and memory): DEBUG, INFO or WARN. WARN leaves them out."
  default     = "INFO"
  nullable    = false

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN"], var.system_log_level)
    error_message = "system_log_level must be one of DEBUG, INFO or WARN; got \"${var.system_log_level}\"."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags of every resource that takes them."
  default     = {}
  nullable    = false
}

variable "thumbnail_objects" {
  type = object({
    cache_control       = optional(string, "max-age=86400, stale-while-revalidate=86400")
    content_disposition = optional(string, "inline")
    copy_metadata       = optional(list(string), [])
    storage_class       = optional(string, "STANDARD")
    tags                = optional(map(string), {})
  })
  description = "How each thumbnail is written: its Cache-Control, Content-Disposition (inline, attachment or none; with the source's file name), the source's user metadata carried over, storage class and object tags. Details: the README, \"Inputs in detail\"."
  default     = {}
  nullable    = false

  validation {
    condition     = length(var.thumbnail_objects.cache_control) <= 1024 && can(regex("^[ -~]*$", var.thumbnail_objects.cache_control))
    error_message = "thumbnail_objects.cache_control must be at most 1024 printable ASCII characters (an HTTP header); got ${jsonencode(var.thumbnail_objects.cache_control)}."
  }
  validation {
    condition     = contains(["inline", "attachment", "none"], var.thumbnail_objects.content_disposition)
    error_message = "thumbnail_objects.content_disposition must be \"inline\", \"attachment\" or \"none\"; got \"${var.thumbnail_objects.content_disposition}\"."
  }
  validation {
    condition     = alltrue([for n in var.thumbnail_objects.copy_metadata : can(regex("^[a-z0-9][a-z0-9._-]{0,127}$", n)) && !contains(["source-bucket", "source-key", "source-etag", "source-version-id", "source-digest", "blurhash"], n)])
    error_message = "thumbnail_objects.copy_metadata must name user metadata keys (lower-case letters, digits, '.', '_', '-'; S3 keeps them lower-case), none of the module's own (source-bucket, source-key, source-etag, source-version-id, source-digest, blurhash); got ${jsonencode(var.thumbnail_objects.copy_metadata)}."
  }
  validation {
    condition     = contains(["STANDARD", "INTELLIGENT_TIERING", "STANDARD_IA", "ONEZONE_IA", "GLACIER_IR"], var.thumbnail_objects.storage_class)
    error_message = "thumbnail_objects.storage_class must be one a thumbnail can be read from at once: STANDARD, INTELLIGENT_TIERING, STANDARD_IA, ONEZONE_IA or GLACIER_IR; got \"${var.thumbnail_objects.storage_class}\"."
  }
  validation {
    condition     = length(var.thumbnail_objects.tags) <= 10 && alltrue([for k, v in var.thumbnail_objects.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256 && !startswith(k, "aws:")])
    error_message = "thumbnail_objects.tags must be at most 10 tags (S3's limit for an object), keys of 1 to 128 characters not starting with aws:, values of at most 256; got ${length(var.thumbnail_objects.tags)}: ${jsonencode(keys(var.thumbnail_objects.tags))}."
  }
  validation {
    condition     = alltrue([for k, v in var.thumbnail_objects.tags : can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$", "${k}${v}"))])
    error_message = "thumbnail_objects.tags may hold only letters, digits, spaces and _ . : / = + - @ (S3 refuses any other character in a tag); got ${jsonencode({ for k, v in var.thumbnail_objects.tags : k => v if !can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$", "${k}${v}")) })}."
  }
  validation {
    condition     = length(var.thumbnail_objects.cache_control) + length(join("&", [for k, v in var.thumbnail_objects.tags : "${urlencode(k)}=${urlencode(v)}"])) <= 2048
    error_message = "thumbnail_objects.cache_control and tags, URL-encoded, must take at most 2048 characters together (the function's environment holds at most 4 KB); got ${length(var.thumbnail_objects.cache_control) + length(join("&", [for k, v in var.thumbnail_objects.tags : "${urlencode(k)}=${urlencode(v)}"]))}."
  }
}

variable "thumbnail_sizes" {
  type        = list(string)
  description = "Each thumbnail size: a longest edge in pixels (256) or a box filled by cropping (\"200x200\", see crop); keys name it ({destination_prefix}256/..., {destination_prefix}200x200/...). Smaller pictures are never upscaled."
  default     = ["256"]
  nullable    = false

  validation {
    condition = length(var.thumbnail_sizes) > 0 && alltrue([
      for s in var.thumbnail_sizes : can(regex("^[0-9]+(x[0-9]+)?$", s)) && alltrue([for side in split("x", s) : try(tonumber(side) >= 1 && tonumber(side) <= 10000, false)])
    ])
    error_message = "thumbnail_sizes must hold one or more longest edges (256) or boxes (\"200x200\"), every side a whole number between 1 and 10000 pixels; got ${jsonencode(var.thumbnail_sizes)}."
  }
}

variable "timeout" {
  type        = number
  description = "Seconds an invocation may run, 1 to 900."
  default     = 60
  nullable    = false
}

variable "tracing_mode" {
  type        = string
  description = "X-Ray tracing: \"Active\" samples and traces invocations (X-Ray charges per trace; the role gets xray:PutTraceSegments), \"PassThrough\" only follows an upstream decision."
  default     = "PassThrough"
  nullable    = false
}

variable "trigger" {
  type        = string
  description = "How S3 events reach the function: \"s3\" (the bucket's notification configuration; the plan stops if it holds rules of others), \"eventbridge\", \"sqs\", \"sns\" (sns_topic_arn) or \"none\". The README's table says what each creates and when to choose it."
  default     = "s3"
  nullable    = false

  validation {
    condition     = contains(["s3", "eventbridge", "sqs", "sns", "none"], var.trigger)
    error_message = "trigger must be one of s3, eventbridge, sqs, sns, none; got \"${var.trigger}\"."
  }
  validation {
    condition     = (var.trigger == "sns") == (var.sns_topic_arn != null)
    error_message = "sns_topic_arn must be set exactly when trigger = \"sns\" (the topic the bucket publishes to); got trigger = \"${var.trigger}\" and sns_topic_arn = ${jsonencode(var.sns_topic_arn)}."
  }
}

variable "video" {
  type = object({
    poster_ms = optional(number, 0)
  })
  description = "With \"video\" in extra_formats: where a video's poster frame is, in milliseconds from its start; 0 takes its first frame that is not black (a fade-in or a slate is skipped). Details: docs/previews.md."
  default     = {}
  nullable    = false

  validation {
    condition     = var.video.poster_ms >= 0 && var.video.poster_ms <= 21600000 && floor(var.video.poster_ms) == var.video.poster_ms
    error_message = "video.poster_ms must be a whole number of milliseconds between 0 and 21600000 (6 hours); got ${var.video.poster_ms}."
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
