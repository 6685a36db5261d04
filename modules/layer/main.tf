locals {
  artifacts_dir = coalesce(var.artifacts_dir, "${path.root}/.terraform/thumbnails")
  build_script  = "${path.module}/build_layer.py"

  # Content address: the ZIP is rebuilt, and a layer version published, only when one of these changes.
  build_inputs = {
    requirements = join("\n", [for f in var.requirements_files : file(f)])
    runtime      = var.runtime
    architecture = var.architecture
    target       = var.build_target
    exclude      = join("\n", [for f in var.exclude_files : file(f)])
    index        = var.index_url
    script       = filesha256(local.build_script)
  }
  build_hash = sha256(jsonencode(local.build_inputs))
  zip_name   = "layer-${var.layer_name}-${substr(local.build_hash, 0, 16)}.zip"
  zip_path   = "${local.artifacts_dir}/${local.zip_name}"

  # Pillow 12.3 and later ship no wheel for Amazon Linux 2 (glibc 2.26: python3.10, python3.11). A pin of such a
  # Pillow (==, ===, ~=) for those runtimes fails at plan, before anything is built.
  pillow_pin     = try(regex("(?im)^\\s*pillow\\s*(?:===?|~=)\\s*([0-9]+)\\.([0-9]+)", local.build_inputs.requirements), null)
  amazon_linux_2 = contains(["python3.10", "python3.11"], var.runtime) && var.build_target == "lambda"
  pillow_too_new = local.pillow_pin == null ? false : local.amazon_linux_2 && (tonumber(local.pillow_pin[0]) * 100 + tonumber(local.pillow_pin[1])) >= 1203
  # A released ZIP (var.package) is published as it is: nothing is built.
  build = var.package == null
}

resource "terraform_data" "build" {
  count = local.build ? 1 : 0

  triggers_replace = local.zip_path # the content hash, the layer's name and the folder: any change rebuilds
  input            = { zip = local.zip_path, python = var.python_executable }

  lifecycle {
    precondition {
      condition     = !local.pillow_too_new
      error_message = "runtime ${var.runtime} runs on Amazon Linux 2 (glibc 2.26), where pillow ${try(join(".", local.pillow_pin), "")} (pinned in ${join(", ", var.requirements_files)}) has no wheel: choose runtime python3.12 or later, or point build.requirements_file at a file that pins pillow<12.3 (for example pillow==12.2.0)."
    }
  }

  provisioner "local-exec" {
    interpreter = [var.python_executable, local.build_script]
    command     = local.zip_path
    environment = {
      LAYER_REQUIREMENTS  = join("\n", var.requirements_files)
      LAYER_RUNTIME       = var.runtime
      LAYER_ARCHITECTURE  = var.architecture
      LAYER_TARGET        = var.build_target
      LAYER_MAX_ZIP_BYTES = var.s3_bucket == null ? "50000000" : "0"
      LAYER_EXCLUDE       = join("\n", var.exclude_files)
      LAYER_INDEX_URL     = var.index_url == null ? "" : var.index_url
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
  from = terraform_data.build
  to   = terraform_data.build[0]
}

resource "aws_s3_object" "layer" {
  count = local.build && var.s3_bucket != null ? 1 : 0

  bucket = var.s3_bucket
  key    = "lambda-layers/${local.zip_name}"
  source = terraform_data.build[0].output.zip
}

resource "aws_lambda_layer_version" "this" {
  layer_name               = var.layer_name
  description              = local.build ? "Pillow and the thumbnail function's other dependencies (${var.runtime}, ${var.architecture}, ${var.build_target} build ${substr(local.build_hash, 0, 16)})" : "Pillow and the thumbnail function's other dependencies (${var.runtime}, ${var.architecture}, released ${var.package.name})"
  compatible_runtimes      = [var.runtime]
  compatible_architectures = [var.architecture]

  # The file name carries the content hash: a new name is a new layer version. A released ZIP: its pinned digest.
  filename          = local.build ? (var.s3_bucket == null ? terraform_data.build[0].output.zip : null) : var.package.filename
  s3_bucket         = local.build ? var.s3_bucket : var.package.s3_bucket
  s3_key            = local.build ? (var.s3_bucket == null ? null : aws_s3_object.layer[0].key) : var.package.s3_key
  s3_object_version = local.build ? null : var.package.s3_object_version
  source_code_hash  = local.build ? null : var.package.source_code_hash

  lifecycle {
    create_before_destroy = true

    # What Lambda took is what was verified at plan (an object replaced between plan and apply fails the apply).
    postcondition {
      condition     = local.build || self.code_sha256 == try(var.package.source_code_hash, "")
      error_message = "layer ${var.layer_name}: Lambda received a ZIP whose SHA-256 is ${self.code_sha256}, not the released ${try(var.package.name, "")} (${try(var.package.source_code_hash, "")}) verified at plan: the object changed after the plan. Find out who replaced it, upload the release's file again, and apply again."
    }
  }
}
