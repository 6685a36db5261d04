# The thumbnails module: a layer (Pillow), a function (our sources) and the S3 trigger that fires it.

locals {
  destination_bucket = coalesce(var.destination_bucket, var.source_bucket)
  partition          = data.aws_partition.current.partition
  region             = data.aws_region.current.id # .id: the region's name in provider 5.x and 6.x alike
  # Deletions by a request and by a lifecycle rule are different S3 events; both remove the thumbnails.
  removal_events = ["s3:ObjectRemoved:*", "s3:LifecycleExpiration:*"]
}

data "aws_partition" "current" {}

data "aws_region" "current" {}

module "layer" {
  source = "./modules/layer"
  count  = var.create_layer ? 1 : 0

  layer_name        = "${var.function_name}-deps"
  requirements_file = coalesce(var.build.requirements_file, "${path.module}/layer/requirements.txt")
  exclude_file      = coalesce(var.build.layer_exclude_file, "${path.module}/layer/exclude.txt")
  runtime           = var.runtime
  architecture      = var.architecture
  build_target      = var.build.layer_target
  s3_bucket         = var.build.layer_s3_bucket
  artifacts_dir     = var.build.artifacts_dir
  python_executable = var.build.python_executable
}

module "function" {
  source = "./modules/function"

  function_name     = var.function_name
  source_dir        = coalesce(var.build.source_dir, "${path.module}/function")
  artifacts_dir     = var.build.artifacts_dir
  python_executable = var.build.python_executable

  runtime                = var.runtime
  architecture           = var.architecture
  layers                 = concat(module.layer[*].layer_version_arn, var.layer_arns)
  memory_size            = var.memory_size
  ephemeral_storage_size = var.ephemeral_storage_size
  timeout                = var.timeout
  log_retention_in_days  = var.log_retention_in_days

  environment_variables = merge(var.environment_variables, {
    DESTINATION_BUCKET = local.destination_bucket
    DESTINATION_PREFIX = var.destination_prefix
    THUMBNAIL_SIZES    = join(",", var.thumbnail_sizes)
    OUTPUT_FORMAT      = var.output_format
    QUALITY            = tostring(var.quality)
    MAX_IMAGE_PIXELS   = tostring(var.max_image_pixels)
    DELETE_THUMBNAILS  = tostring(var.delete_thumbnails)
  })

  read_access  = { bucket = var.source_bucket, prefix = var.filter_prefix }
  write_access = { bucket = local.destination_bucket, prefix = var.destination_prefix, delete = var.delete_thumbnails }
  kms_key_arns = var.kms_key_arns

  maximum_retry_attempts         = var.maximum_retry_attempts
  maximum_event_age_in_seconds   = var.maximum_event_age_in_seconds
  on_failure_destination_arn     = var.on_failure_destination_arn
  reserved_concurrent_executions = var.reserved_concurrent_executions

  tags = var.tags
}

module "s3_trigger" {
  source = "./modules/s3-trigger"

  bucket                     = var.source_bucket
  function_name              = module.function.function_name
  function_arn               = module.function.function_arn
  source_account             = var.source_account
  events                     = distinct(concat(var.events, var.delete_thumbnails ? local.removal_events : []))
  filter_prefix              = var.filter_prefix
  filter_suffixes            = var.filter_suffixes
  create_bucket_notification = var.create_bucket_notification
}
