output "packages" {
  description = "Where each verified file is, by name: s3_bucket, s3_key and s3_object_version (the version verified, when the bucket keeps versions), or filename; and source_code_hash, its pinned SHA-256 in base64."
  value = {
    for name in var.files : name => {
      s3_bucket         = local.s3 ? var.s3_bucket : null
      s3_key            = local.s3 ? data.aws_s3_object.artifact[name].key : null
      s3_object_version = local.s3 ? try(coalesce(data.aws_s3_object.artifact[name].version_id), null) : null
      filename          = local.s3 ? null : "${var.directory}/${name}"
      source_code_hash  = try(var.pins[name].sha256_base64, null)
    }
  }

  precondition {
    condition     = length(local.missing) == 0
    error_message = "prebuilt: ${join(" ", [for name, why in local.missing : "${name} is not part of the release ${var.release}: ${why}"])} Choose another runtime, architecture or extra_formats, or build locally (prebuilt = null)."
  }

  precondition {
    condition     = length(local.wrong) == 0
    error_message = "prebuilt: ${join(" ", local.wrong)}"
  }
}
