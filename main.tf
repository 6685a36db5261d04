# The thumbnails module: a layer (Pillow), a function (our sources), the way events reach it (var.trigger: the
# bucket's notification "s3", an "eventbridge" rule, an "sqs" queue, an "sns" topic, or "none"), its alarms, and
# with on_demand a second function from the same package behind CloudFront (thumbnails on first request).

locals {
  # Null function_name: a name of the source bucket's, so two instances for two buckets never collide. At most 40
  # characters, so "<name>-batch-<region>" still fits IAM's 64; a longer bucket name keeps its start and a digest.
  named_for_bucket   = "thumbnails-${replace(var.source_bucket, ".", "-")}"
  function_name      = coalesce(var.function_name, length(local.named_for_bucket) <= 40 ? local.named_for_bucket : "${substr(local.named_for_bucket, 0, 31)}-${substr(sha1(var.source_bucket), 0, 8)}")
  destination_bucket = coalesce(var.destination_bucket, var.source_bucket)
  partition          = data.aws_partition.current.partition
  region             = data.aws_region.current.id # .id: the region's name in provider 5.x and 6.x alike
  # Deletions by a request and by a lifecycle rule are different S3 events; both remove the thumbnails.
  s3_events    = distinct(concat(var.events, var.delete_thumbnails ? ["s3:ObjectRemoved:*", "s3:LifecycleExpiration:*"] : []))
  detail_types = concat(["Object Created"], var.delete_thumbnails ? ["Object Deleted"] : [])
  # The picture suffixes of the formats that are on, in both cases (S3's suffix filter is case-sensitive).
  suffixes = concat(
    [".jpg", ".jpeg", ".png", ".webp", ".gif"],
    contains(var.extra_formats, "heif") ? [".heic", ".heif"] : [],
    contains(var.extra_formats, "avif") ? [".avif"] : [],
    contains(var.extra_formats, "pdf") ? [".pdf"] : [],
    contains(var.extra_formats, "video") ? [".mp4", ".m4v", ".mov", ".webm"] : [],
  )
  filter_suffixes = var.filter_suffixes != null ? var.filter_suffixes : concat(local.suffixes, [for s in local.suffixes : upper(s)])
  # The EventBridge rule that sees the bucket's events: for the function, or for the queue in front of it. S3 sends
  # them to the default bus of the bucket owner's account, so the rule's ARN is known before it exists.
  eventbridge = var.trigger == "eventbridge" || (var.trigger == "sqs" && var.sqs.source == "eventbridge")
  rule_name   = "${local.function_name}-objects"
  caller      = coalesce(var.account_id, one(data.aws_caller_identity.current[*].account_id))
  account     = coalesce(var.source_account, local.caller)
  # The destination's owner, checked by ExpectedBucketOwner and s3:ResourceAccount like the source's.
  destination_account = coalesce(var.destination_account, local.caller)
  rule_arn            = "arn:${local.partition}:events:${local.region}:${local.account}:rule/${local.rule_name}"
  # The catalogue: where its login is (the secret's ARN, never the login itself) and, when the secret does not
  # say (one RDS manages holds only username and password), where the database is. Null: not set.
  database_environment = {
    DATABASE_SECRET_ARN = try(var.database.secret_arn, null)
    DATABASE_TABLE      = try(var.database.table, null)
    DATABASE_HOST       = try(var.database.host, null)
    DATABASE_PORT       = try(format("%d", var.database.port), null)
    DATABASE_NAME       = try(var.database.name, null)
    DATABASE_TLS        = try(var.database.tls, null)
    DATABASE_CA_BUNDLE  = try(var.database.ca_bundle, null)
  }
  # The Batch Operations role, named and known before it exists: the function's tags name it for the thumbnails
  # command, and the role's policy names the function (an output of the role would make a cycle).
  batch_bucket    = try(coalesce(var.batch_operations.bucket, local.destination_bucket), null)
  batch_role_name = "${local.function_name}-batch-${local.region}"
  batch_tags = var.batch_operations == null ? {} : {
    "thumbnails:batch-operations-role"     = "arn:${local.partition}:iam::${local.caller}:role/${local.batch_role_name}"
    "thumbnails:batch-operations-location" = "s3://${local.batch_bucket}/${var.batch_operations.prefix}"
  }
  # The release this module version pins (`make release` writes it): the file names and their SHA-256.
  release = jsondecode(file("${path.module}/release/artifacts.json"))
  # "video" is in no released layer (PyAV's FFmpeg includes GPL parts): it is a layer of its own, built here.
  formats = sort(distinct([for f in var.extra_formats : f if f != "video"]))
  video   = contains(var.extra_formats, "video")
  # The released files this stack uses: named as devkit/release.py names them.
  function_file = "thumbnails-function.zip"
  layer_file    = "${join("-", concat(["thumbnails-layer", var.runtime, var.architecture], local.formats))}.zip"
  # python3.10/3.11 run on Amazon Linux 2 (glibc 2.26): their layer starts from the lock of the newest Pillow that
  # loads there. A "host" build runs on this machine's newer glibc and keeps the default lock.
  base_lock = contains(["python3.10", "python3.11"], var.runtime) && var.build.layer_target == "lambda" ? "${path.module}/layer/amazon-linux-2/requirements.lock" : "${path.module}/layer/requirements.lock"
  # Each optional format adds its packages (layer/requirements-<format>.lock) or keeps its files (layer/exclude-<format>.txt
  # leaves them out otherwise), as `make release` composes the released layers.
  format_files = fileset("${path.module}/layer", "{requirements-*.lock,exclude-*.txt}")
  all_formats  = distinct([for f in local.format_files : regex("^(?:requirements|exclude)-(.+)\\.(?:lock|txt)$", f)[0]])
  # Every environment variable the module sets, from its inputs: environment_variables may set none of these
  # (its validation reads the names of local.environment).
  environment = merge(local.database_environment, local.settings_environment, {
    for name in ["ON_DEMAND_PRESETS", "ON_DEMAND_FORMATS", "ON_DEMAND_MAX_AGE", "ON_DEMAND_SIGNING_SECRET_ARN", "ON_DEMAND_DISTRIBUTION_ID"] : name => null
  })
  settings_environment = {
    DESTINATION_BUCKET       = local.destination_bucket
    DESTINATION_PREFIX       = var.destination_prefix
    THUMBNAIL_SIZES          = join(",", var.thumbnail_sizes)
    OUTPUT_FORMAT            = var.output_format
    OUTPUT_FORMATS           = join(",", var.output_formats)
    COLOUR                   = var.colour
    JPEG_PROGRESSIVE         = tostring(var.jpeg.progressive)
    CACHE_CONTROL            = var.thumbnail_objects.cache_control
    CONTENT_DISPOSITION      = var.thumbnail_objects.content_disposition
    COPY_METADATA            = join(",", var.thumbnail_objects.copy_metadata)
    STORAGE_CLASS            = var.thumbnail_objects.storage_class
    THUMBNAIL_TAGS           = join("&", [for k, v in var.thumbnail_objects.tags : "${urlencode(k)}=${urlencode(v)}"])
    QUALITY                  = tostring(var.quality)
    MAX_IMAGE_PIXELS         = tostring(var.max_image_pixels)
    DELETE_THUMBNAILS        = tostring(var.delete_thumbnails)
    CROP                     = var.crop
    ANIMATION                = tostring(var.animation.enabled)
    ANIMATION_MAX_PIXELS     = format("%d", var.animation.max_pixels)
    ANIMATION_MAX_FRAMES     = format("%d", var.animation.max_frames)
    VIDEO_POSTER_MS          = format("%d", var.video.poster_ms)
    EXTRA_FORMATS            = join(",", var.extra_formats)
    SOURCE_BUCKET_OWNER      = local.account
    DESTINATION_BUCKET_OWNER = local.destination_account
    MAX_OBJECT_BYTES         = format("%d", var.max_object_bytes)
    SOURCE_METADATA          = tostring(var.source_metadata)
    SOURCE_BUCKET            = var.source_bucket
    SOURCE_PREFIX            = var.filter_prefix
    SOURCE_SUFFIXES          = join(",", local.filter_suffixes)
    # What is deployed: the release's own bytes, or a build of this module version's sources on the runner.
    RELEASE_VERSION = var.prebuilt == null ? "${local.release.version}+build" : local.release.version
  }
  # On request (modules/on-demand): the presets and formats both functions know (the upload function removes a
  # changed source's variants), and what only the on-demand function reads.
  on_demand_environment = var.on_demand == null ? {} : {
    ON_DEMAND_PRESETS = join(",", [for name, size in var.on_demand.presets : "${name}=${size}"])
    ON_DEMAND_FORMATS = join(",", var.on_demand.formats)
    ON_DEMAND_MAX_AGE = format("%d", var.on_demand.max_age)
  }
  on_demand_function_environment = var.on_demand == null ? {} : merge(local.on_demand_environment, {
    ON_DEMAND_SIGNING_SECRET_ARN = var.on_demand.signing_secret_arn == null ? "" : var.on_demand.signing_secret_arn
  })
  # A second function from the same package, its own name, reserved concurrency and URL: a flood of first requests
  # cannot starve the uploads' function, and the uploads cannot starve the pages.
  on_demand_function_name = "${substr(local.function_name, 0, 54)}-on-demand"
  invalidate              = try(var.on_demand.invalidate, false)
}

data "aws_partition" "current" {}

data "aws_region" "current" {}

# The account the stack is applied in, unless account_id says so (a plan then makes no STS call).
data "aws_caller_identity" "current" {
  count = var.account_id == null ? 1 : 0
}

# A bucket has one notification configuration, and writing it replaces every rule in it. Where this module writes it
# (trigger = "s3", "sqs" from S3, or manage_bucket_eventbridge), the configuration is read first, at plan, and a rule
# this module did not write stops the plan (the trigger modules' precondition) instead of being removed. The
# provider has no data source for it: Cloud Control reads the bucket as CloudFormation describes it.
data "aws_cloudcontrolapi_resource" "source_bucket" {
  count = local.writes_notification && !var.replace_existing_notifications ? 1 : 0

  type_name  = "AWS::S3::Bucket"
  identifier = var.source_bucket
}

locals {
  writes_notification = var.trigger == "s3" || (var.trigger == "sqs" && var.sqs.source == "s3") || (local.eventbridge && var.manage_bucket_eventbridge)
  queue_name          = "${local.function_name}-events"
  # What this module writes there: rules for its function or its queue, and EventBridge delivery when it manages it.
  own_function_arn = "arn:${local.partition}:lambda:${local.region}:${local.caller}:function:${local.function_name}"
  own_queue_arn    = "arn:${local.partition}:sqs:${local.region}:${local.caller}:${local.queue_name}"
  existing         = try(jsondecode(one(data.aws_cloudcontrolapi_resource.source_bucket[*].properties)).NotificationConfiguration, {})
  foreign_rules = concat(
    [for r in try(local.existing.LambdaConfigurations, []) : "function ${r.Function} (${r.Event})" if r.Function != local.own_function_arn],
    [for r in try(local.existing.QueueConfigurations, []) : "queue ${r.Queue} (${r.Event})" if r.Queue != local.own_queue_arn],
    [for r in try(local.existing.TopicConfigurations, []) : "topic ${r.Topic} (${r.Event})"],
    try(local.existing.EventBridgeConfiguration.EventBridgeEnabled, false) && !(local.eventbridge && var.manage_bucket_eventbridge) ? ["EventBridge delivery (EventBridgeConfiguration)"] : [],
  )
  notification_conflict = length(local.foreign_rules) == 0 ? null : join(" ", [
    "The notification configuration of bucket \"${var.source_bucket}\" holds rules this module did not write: ${join("; ", distinct(local.foreign_rules))}.",
    "trigger = \"${var.trigger}\" would replace that configuration and silently stop them, so nothing was changed. Choose one:",
    "trigger = \"eventbridge\" with manage_bucket_eventbridge = false (leaves the configuration alone; its owner turns EventBridge delivery on),",
    "trigger = \"none\" and add the bucket_notification_lambda_functions output to the configuration where it is managed (the README, \"Sharing a bucket\"),",
    "or replace_existing_notifications = true to take the configuration over and drop those rules.",
  ])
}

module "layer" {
  source = "./modules/layer"
  count  = var.create_layer ? 1 : 0

  layer_name = "${local.function_name}-deps"
  # The locks (`make lock`: every wheel's hash), unless build.requirements_file brings its own requirements.
  requirements_files = concat(
    [coalesce(var.build.requirements_file, local.base_lock)],
    [for f in local.formats : "${path.module}/layer/requirements-${f}.lock" if contains(local.format_files, "requirements-${f}.lock")],
  )
  exclude_files = concat(
    [coalesce(var.build.layer_exclude_file, "${path.module}/layer/exclude.txt")],
    [for f in local.all_formats : "${path.module}/layer/exclude-${f}.txt" if !contains(local.formats, f) && contains(local.format_files, "exclude-${f}.txt")],
  )
  runtime           = var.runtime
  architecture      = var.architecture
  build_target      = var.build.layer_target
  s3_bucket         = var.build.layer_s3_bucket
  artifacts_dir     = var.build.artifacts_dir
  python_executable = var.build.python_executable
  index_url         = var.build.index_url
  package           = var.prebuilt == null ? null : merge(module.prebuilt[0].packages[local.layer_file], { name = local.layer_file })
}

# Video posters (extra_formats has "video"): PyAV and its FFmpeg in a layer of their own, always built on the runner
# from layer/video/requirements.lock, never released (FFmpeg's x264 and x265 are GPL; docs/previews.md).
module "video_layer" {
  source = "./modules/layer"
  count  = var.create_layer && local.video ? 1 : 0

  layer_name         = "${local.function_name}-video"
  requirements_files = ["${path.module}/layer/video/requirements.lock"]
  exclude_files      = ["${path.module}/layer/video/exclude.txt"]
  runtime            = var.runtime
  architecture       = var.architecture
  build_target       = var.build.layer_target
  s3_bucket          = var.build.layer_s3_bucket
  artifacts_dir      = var.build.artifacts_dir
  python_executable  = var.build.python_executable
  index_url          = var.build.index_url
}

# The released ZIPs, verified at plan against the digests this module version pins (with prebuilt only).
module "prebuilt" {
  source = "./modules/prebuilt"
  count  = var.prebuilt == null ? 0 : 1

  files       = concat([local.function_file], var.create_layer ? [local.layer_file] : [])
  pins        = local.release.artifacts
  unavailable = local.release.unavailable
  release     = local.release.version
  s3_bucket   = var.prebuilt.s3_bucket
  s3_prefix   = var.prebuilt.s3_prefix
  directory   = var.prebuilt.directory
}

module "function" {
  source = "./modules/function"

  function_name = local.function_name
  account_id    = local.caller
  source_dir    = coalesce(var.build.source_dir, "${path.module}/function")

  create_role               = var.create_role
  role_arn                  = var.role_arn
  role_name                 = var.role_name
  role_path                 = var.role_path
  role_permissions_boundary = var.role_permissions_boundary
  role_policy_arns          = var.role_policy_arns
  role_policy_statements    = var.role_policy_statements
  artifacts_dir             = var.build.artifacts_dir
  python_executable         = var.build.python_executable
  package                   = var.prebuilt == null ? null : merge(module.prebuilt[0].packages[local.function_file], { name = local.function_file })

  runtime                = var.runtime
  architecture           = var.architecture
  layers                 = concat(module.layer[*].layer_version_arn, module.video_layer[*].layer_version_arn, var.layer_arns)
  memory_size            = var.memory_size
  ephemeral_storage_size = var.ephemeral_storage_size
  timeout                = var.timeout
  log_retention_in_days  = var.log_retention_in_days
  log_format             = var.log_format
  log_level              = var.log_level
  system_log_level       = var.system_log_level

  # Yours, the catalogue's keys that are set (null: left out), and the settings. (A value unknown until apply, such
  # as a bucket created in the same apply, makes the provider plan the whole map as unknown.)
  environment_variables = merge(
    var.environment_variables, { for name, value in local.database_environment : name => value if value != null },
    local.settings_environment, local.on_demand_environment,
    local.invalidate ? { ON_DEMAND_DISTRIBUTION_ID = module.on_demand[0].distribution_id } : {},
  )

  read_access         = { bucket = var.source_bucket, prefix = var.filter_prefix, account = local.account }
  write_access        = { bucket = local.destination_bucket, prefix = var.destination_prefix, delete = var.delete_thumbnails, tags = length(var.thumbnail_objects.tags) > 0, account = local.destination_account }
  bucket_kms_key_arns = var.bucket_kms_key_arns
  secret              = var.database == null ? null : { arn = var.database.secret_arn, kms_key_arn = var.database.kms_key_arn }

  tracing_mode                = var.tracing_mode
  code_signing_config_arn     = var.code_signing_config_arn
  dead_letter_target_arn      = var.dead_letter_target_arn
  kms_key_arn                 = var.kms_key_arn
  cloudwatch_logs_kms_key_arn = var.cloudwatch_logs_kms_key_arn
  vpc                         = var.vpc

  maximum_retry_attempts         = var.maximum_retry_attempts
  maximum_event_age_in_seconds   = var.maximum_event_age_in_seconds
  on_failure_destination_arn     = var.on_failure_destination_arn
  reserved_concurrent_executions = var.reserved_concurrent_executions

  tags = merge(var.tags, local.batch_tags)
}

# The role the thumbnails command's Batch Operations jobs run as (backfill, reconcile).
module "batch_operations" {
  source = "./modules/batch-operations"
  count  = var.batch_operations == null ? 0 : 1

  role_name                 = local.batch_role_name
  role_path                 = var.role_path
  role_permissions_boundary = var.role_permissions_boundary
  account_id                = local.caller
  function_arn              = module.function.function_arn
  partition                 = local.partition
  bucket                    = local.batch_bucket
  bucket_account            = local.batch_bucket == var.source_bucket ? local.account : local.batch_bucket == local.destination_bucket ? local.destination_account : local.caller
  prefix                    = var.batch_operations.prefix
  tags                      = var.tags
}

# One way in, chosen by var.trigger ("none" keeps only the permission S3 needs, for a caller-managed notification).
module "s3_trigger" {
  source = "./modules/s3-trigger"
  count  = contains(["s3", "none"], var.trigger) ? 1 : 0

  bucket                     = var.source_bucket
  function_name              = module.function.function_name
  function_arn               = module.function.function_arn
  source_account             = local.account
  events                     = local.s3_events
  filter_prefix              = var.filter_prefix
  filter_suffixes            = local.filter_suffixes
  create_bucket_notification = var.trigger == "s3"
  notification_conflict      = local.notification_conflict
}

module "eventbridge_trigger" {
  source = "./modules/eventbridge-trigger"
  count  = local.eventbridge ? 1 : 0

  bucket                    = var.source_bucket
  rule_name                 = local.rule_name
  filter_prefix             = var.filter_prefix
  filter_suffixes           = local.filter_suffixes
  detail_types              = local.detail_types
  target_arn                = var.trigger == "sqs" ? one(module.sqs_trigger[*].queue_arn) : module.function.function_arn
  function_name             = var.trigger == "sqs" ? null : module.function.function_name
  manage_bucket_eventbridge = var.manage_bucket_eventbridge
  notification_conflict     = local.notification_conflict
  tags                      = var.tags
}

module "sqs_trigger" {
  source = "./modules/sqs-trigger"
  count  = var.trigger == "sqs" ? 1 : 0

  bucket               = var.source_bucket
  source_account       = local.account
  queue_name           = local.queue_name
  event_source         = var.sqs.source
  eventbridge_rule_arn = var.sqs.source == "eventbridge" ? local.rule_arn : null
  events               = local.s3_events
  filter_prefix        = var.filter_prefix
  filter_suffixes      = local.filter_suffixes

  function_arn                       = module.function.function_arn
  function_timeout                   = var.timeout
  role_name                          = var.create_role ? module.function.role_name : null # never a role of yours
  batch_size                         = var.sqs.batch_size
  maximum_batching_window_in_seconds = var.sqs.maximum_batching_window_in_seconds
  maximum_concurrency                = var.sqs.maximum_concurrency
  max_receive_count                  = var.sqs.max_receive_count
  notification_conflict              = local.notification_conflict
  tags                               = var.tags
}

module "sns_trigger" {
  source = "./modules/sns-trigger"
  count  = var.trigger == "sns" ? 1 : 0

  topic_arn     = var.sns_topic_arn
  function_arn  = module.function.function_arn
  function_name = module.function.function_name
}

moved {
  from = module.s3_trigger
  to   = module.s3_trigger[0]
}

module "alarms" {
  source = "./modules/alarms"
  count  = var.alarms == null ? 0 : 1

  function_name      = module.function.function_name
  topic_arn          = var.alarms.topic_arn
  refused            = var.alarms.refused
  transient_failures = var.alarms.transient_failures
  errors             = var.alarms.errors
  throttles          = var.alarms.throttles
  period             = var.alarms.period
  tags               = var.tags
}

# Thumbnails on first request (on_demand): the same package as the function above, answering its URL.
module "on_demand_function" {
  source = "./modules/function"
  count  = var.on_demand == null ? 0 : 1

  function_name = local.on_demand_function_name
  handler       = "app.url_handler"
  account_id    = local.caller
  source_dir    = coalesce(var.build.source_dir, "${path.module}/function")

  create_role               = var.create_role
  role_arn                  = var.role_arn
  role_path                 = var.role_path
  role_permissions_boundary = var.role_permissions_boundary
  role_policy_arns          = var.role_policy_arns
  # The signing secret, when sizes may be signed (the catalogue's secret, if any, is the module's own `secret`).
  role_policy_statements = concat(var.role_policy_statements, var.on_demand.signing_secret_arn == null ? [] : [
    { sid = "ReadSigningSecret", actions = ["secretsmanager:GetSecretValue"], resources = [var.on_demand.signing_secret_arn] },
  ])
  artifacts_dir     = var.build.artifacts_dir
  python_executable = var.build.python_executable
  package           = var.prebuilt == null ? null : merge(module.prebuilt[0].packages[local.function_file], { name = local.function_file })

  runtime                = var.runtime
  architecture           = var.architecture
  layers                 = concat(module.layer[*].layer_version_arn, var.layer_arns)
  memory_size            = var.memory_size
  ephemeral_storage_size = var.ephemeral_storage_size
  timeout                = min(var.timeout, 30) # CloudFront waits 30 s for an origin by default
  log_retention_in_days  = var.log_retention_in_days
  log_format             = var.log_format
  log_level              = var.log_level
  system_log_level       = var.system_log_level

  environment_variables = merge(var.environment_variables, { for name, value in local.database_environment : name => value if value != null }, local.settings_environment, local.on_demand_function_environment)

  read_access         = { bucket = var.source_bucket, prefix = var.filter_prefix, account = local.account }
  write_access        = { bucket = local.destination_bucket, prefix = var.destination_prefix, delete = true, tags = length(var.thumbnail_objects.tags) > 0, account = local.destination_account }
  bucket_kms_key_arns = var.bucket_kms_key_arns
  secret              = var.database == null ? null : { arn = var.database.secret_arn, kms_key_arn = var.database.kms_key_arn }

  tracing_mode                   = var.tracing_mode
  code_signing_config_arn        = var.code_signing_config_arn
  kms_key_arn                    = var.kms_key_arn
  cloudwatch_logs_kms_key_arn    = var.cloudwatch_logs_kms_key_arn
  vpc                            = var.vpc
  maximum_retry_attempts         = 0 # a viewer's request is answered or not; never retried in the background
  reserved_concurrent_executions = coalesce(var.on_demand.reserved_concurrency, -1)

  tags = var.tags
}

module "on_demand" {
  source = "./modules/on-demand"
  count  = var.on_demand == null ? 0 : 1

  name                        = local.on_demand_function_name
  function_name               = module.on_demand_function[0].function_name
  bucket                      = local.destination_bucket
  bucket_regional_domain_name = "${local.destination_bucket}.s3.${local.region}.amazonaws.com"
  partition                   = local.partition
  prefix                      = var.destination_prefix
  presets                     = var.on_demand.presets
  formats                     = var.on_demand.formats
  signed                      = var.on_demand.signing_secret_arn != null
  max_age                     = var.on_demand.max_age
  price_class                 = var.on_demand.price_class
  web_acl_id                  = var.on_demand.web_acl_id
  invalidating_role_name      = local.invalidate && var.create_role ? module.function.role_name : null
  tags                        = var.tags
}
