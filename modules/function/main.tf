data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {
  count = var.account_id == null ? 1 : 0
}

locals {
  artifacts_dir = coalesce(var.artifacts_dir, "${path.root}/.terraform/thumbnails")
  build_script  = "${path.module}/build_function.py"

  # What is packaged: every file but caches, tests and hidden files. Chosen here, hashed here, and handed to the
  # build script as a list, so the plan-time hash and the ZIP always describe the same files. `make release`
  # (devkit/release.py) reads package_exclude from this line, so a released function ZIP has the same files.
  package_exclude = "(^|/)(__pycache__|tests?|\\.[^/]*)(/|$)|\\.py[co]$|(^|/)(test_[^/]*|[^/]*_test\\.py|conftest\\.py)$"
  files           = sort([for f in fileset(var.source_dir, "**") : f if !can(regex(local.package_exclude, f))])
  source_hash = sha256(join("\n", concat(
    [for f in local.files : "${f} ${filesha256("${var.source_dir}/${f}")}"],
    ["build_function.py ${filesha256(local.build_script)}"],
  )))
  zip_path = "${local.artifacts_dir}/function-${var.function_name}-${substr(local.source_hash, 0, 16)}.zip"

  partition = data.aws_partition.current.partition
  role_arn  = var.create_role ? aws_iam_role.lambda[0].arn : var.role_arn # iam.tf
}

resource "terraform_data" "package" {
  count = var.package == null ? 1 : 0 # a released ZIP (var.package) is deployed as it is: nothing is built

  triggers_replace = local.zip_path # the sources' hash, the function's name and the folder: any change rebuilds
  input            = { zip = local.zip_path, python = var.python_executable }

  provisioner "local-exec" {
    interpreter = [var.python_executable, local.build_script]
    command     = local.zip_path
    environment = {
      FUNCTION_SOURCE_DIR = var.source_dir
      FUNCTION_FILES      = jsonencode(local.files)
    }
  }

  # The ZIP belongs to this resource: when a rebuild replaces it, or it is destroyed, the file goes too, so the
  # artifacts folder holds only what the state refers to.
  # Best effort: a runner without Python (one that moved to prebuilt) still removes the resource.
  provisioner "local-exec" {
    when        = destroy
    on_failure  = continue
    interpreter = [self.output.python, "-c", "import pathlib, sys; pathlib.Path(sys.argv[1]).unlink(missing_ok=True)"]
    command     = self.output.zip
  }
}

moved {
  from = terraform_data.package
  to   = terraform_data.package[0]
}

resource "aws_cloudwatch_log_group" "lambda" {
  #checkov:skip=CKV_AWS_158:A customer-managed key is offered (cloudwatch_logs_kms_key_arn) but not required: the logs hold object keys and outcomes, never picture data or secrets, and CloudWatch Logs encrypts them at rest either way.
  #checkov:skip=CKV_AWS_338:Retention is the caller's choice (log_retention_in_days, default 30 days of operational logs; set 365 or more where an audit policy asks for it).
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.cloudwatch_logs_kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_50:X-Ray is offered (tracing_mode = "Active") and off by default because it is charged per trace.
  #checkov:skip=CKV_AWS_116:Failed asynchronous events go to on_failure_destination_arn (with their error); a classic dead-letter queue is offered (dead_letter_target_arn) but needs the caller's queue.
  #checkov:skip=CKV_AWS_117:The function reaches only S3 and CloudWatch through their public endpoints; a VPC is offered (vpc = { subnet_ids, security_group_ids }) and needs the caller's network.
  #checkov:skip=CKV_AWS_173:The environment holds bucket names and settings, never a secret, and Lambda encrypts it at rest; a customer-managed key is offered (kms_key_arn).
  #checkov:skip=CKV_AWS_272:Code signing is offered (code_signing_config_arn) and needs the caller's signing profile; the module builds the ZIP from sources it hashes at plan.
  function_name = var.function_name
  role          = local.role_arn
  handler       = var.handler
  runtime       = var.runtime
  architectures = [var.architecture]
  layers        = var.layers

  filename          = var.package == null ? terraform_data.package[0].output.zip : var.package.filename
  s3_bucket         = try(var.package.s3_bucket, null)
  s3_key            = try(var.package.s3_key, null)
  s3_object_version = try(var.package.s3_object_version, null)
  source_code_hash  = var.package == null ? local.source_hash : var.package.source_code_hash

  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions
  kms_key_arn                    = var.kms_key_arn
  code_signing_config_arn        = var.code_signing_config_arn

  tracing_config {
    mode = var.tracing_mode
  }

  dynamic "dead_letter_config" {
    for_each = var.dead_letter_target_arn == null ? [] : [var.dead_letter_target_arn]
    content {
      target_arn = dead_letter_config.value
    }
  }

  dynamic "vpc_config" {
    for_each = var.vpc == null ? [] : [var.vpc]
    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  ephemeral_storage {
    size = var.ephemeral_storage_size
  }

  # Lambda's JSON log format: the runtime writes the function's log records as JSON objects (with the request
  # ID) and drops those below log_level; the platform's lines (start, report) are JSON too. Text: the function
  # writes the same fields as one JSON line itself, at INFO and above, and the levels are not Lambda's to apply.
  logging_config {
    log_format            = var.log_format
    application_log_level = var.log_format == "JSON" ? var.log_level : null
    system_log_level      = var.log_format == "JSON" ? var.system_log_level : null
    log_group             = aws_cloudwatch_log_group.lambda.name
  }

  environment {
    variables = var.environment_variables
  }

  tags = var.tags

  # The log group must exist (with its retention) before the first invocation writes to it; Lambda checks the
  # setup permissions (network interfaces, dead letters) when it creates the function. The rest of the role's
  # permissions are attached before any trigger can call it: the function_arn and function_name outputs wait.
  depends_on = [aws_cloudwatch_log_group.lambda, aws_iam_role_policy.setup]

  lifecycle {
    # What Lambda took is what was verified at plan (an object replaced between plan and apply fails the apply).
    postcondition {
      condition     = var.package == null || self.code_sha256 == try(var.package.source_code_hash, "")
      error_message = "function ${var.function_name}: Lambda received a ZIP whose SHA-256 is ${self.code_sha256}, not the released ${try(var.package.name, "")} (${try(var.package.source_code_hash, "")}) verified at plan: the object changed after the plan. Find out who replaced it, upload the release's file again, and apply again."
    }
  }
}

resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = var.maximum_retry_attempts
  maximum_event_age_in_seconds = var.maximum_event_age_in_seconds

  dynamic "destination_config" {
    for_each = var.on_failure_destination_arn == null ? [] : [1]
    content {
      on_failure {
        destination = var.on_failure_destination_arn
      }
    }
  }

  # Lambda checks that the role may send to the destination when the configuration is saved.
  depends_on = [aws_iam_role_policy.lambda]
}
