locals {
  artifacts_dir = coalesce(var.artifacts_dir, "${path.root}/.terraform/thumbnails")
  build_script  = "${path.module}/build_layer.py"

  # Content address: the ZIP is rebuilt, and a layer version published, only when one of these changes.
  build_inputs = {
    requirements = file(var.requirements_file)
    runtime      = var.runtime
    architecture = var.architecture
    target       = var.build_target
    exclude      = var.exclude_file == null ? "" : file(var.exclude_file)
    script       = filesha256(local.build_script)
  }
  build_hash = sha256(jsonencode(local.build_inputs))
  zip_name   = "layer-${var.layer_name}-${substr(local.build_hash, 0, 16)}.zip"
  zip_path   = "${local.artifacts_dir}/${local.zip_name}"
}

resource "terraform_data" "build" {
  triggers_replace = local.build_hash
  input            = local.zip_path

  provisioner "local-exec" {
    interpreter = [var.python_executable, local.build_script]
    command     = local.zip_path
    environment = {
      LAYER_REQUIREMENTS  = var.requirements_file
      LAYER_RUNTIME       = var.runtime
      LAYER_ARCHITECTURE  = var.architecture
      LAYER_TARGET        = var.build_target
      LAYER_MAX_ZIP_BYTES = var.s3_bucket == null ? "50000000" : "0"
      LAYER_EXCLUDE       = var.exclude_file == null ? "" : var.exclude_file
    }
  }
}

resource "aws_s3_object" "layer" {
  count = var.s3_bucket == null ? 0 : 1

  bucket = var.s3_bucket
  key    = "lambda-layers/${local.zip_name}"
  source = terraform_data.build.output
}

resource "aws_lambda_layer_version" "this" {
  layer_name               = var.layer_name
  description              = "Pillow and the thumbnail function's other dependencies (${var.runtime}, ${var.architecture}, ${var.build_target} build ${substr(local.build_hash, 0, 16)})"
  compatible_runtimes      = [var.runtime]
  compatible_architectures = [var.architecture]

  # The file name carries the content hash: a new name is a new layer version.
  filename  = var.s3_bucket == null ? terraform_data.build.output : null
  s3_bucket = var.s3_bucket
  s3_key    = var.s3_bucket == null ? null : aws_s3_object.layer[0].key

  lifecycle {
    create_before_destroy = true
  }
}
