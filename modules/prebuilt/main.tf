# Released ZIPs, verified against the digests this module version pins before anything uses them: in S3, the
# SHA-256 S3 itself reports (the object's checksum, checked by S3 when it was uploaded); in a directory, the file's
# own. Nothing is built and nothing runs on the machine running Terraform.

locals {
  s3     = var.s3_bucket != null
  prefix = trim(var.s3_prefix, "/")
  keys   = { for name in var.files : name => local.prefix == "" ? name : "${local.prefix}/${name}" }
  # The one upload that gives S3 the checksum the module verifies (a single PUT: a multipart upload's checksum is
  # a checksum of its parts' checksums); `make publish` runs it for every file of dist/.
  upload = {
    for name, key in local.keys : name => "aws s3api put-object --bucket ${coalesce(var.s3_bucket, "-")} --key ${key} --body ${name} --checksum-algorithm SHA256 --checksum-sha256 ${try(var.pins[name].sha256_base64, "")}"
  }
  missing = { for name in var.files : name => lookup(var.unavailable, name, "this module version's release has no such file") if !contains(keys(var.pins), name) }
  # The directory form: each file's SHA-256, or null when it is not there.
  found = { for name in var.files : name => local.s3 ? null : try(filesha256("${var.directory}/${name}"), null) }
  wrong = [
    for name, digest in local.found : digest == null
    ? "${var.directory}/${name} is missing: download it from the release ${var.release} (sha256 ${try(var.pins[name].sha256, "")})."
    : "${var.directory}/${name} is not the release ${var.release}'s ${name}: its SHA-256 is ${digest}, this module version pins ${try(var.pins[name].sha256, "")}."
    if !local.s3 && digest != try(var.pins[name].sha256, "")
  ]
}

data "aws_s3_object" "artifact" {
  for_each = local.s3 ? local.keys : {}

  bucket        = var.s3_bucket
  key           = each.value
  checksum_mode = "ENABLED"

  lifecycle {
    precondition {
      condition     = contains(keys(var.pins), each.key)
      error_message = "prebuilt: ${each.key} is not part of the release ${var.release}: ${lookup(var.unavailable, each.key, "no such file")} Choose another runtime, architecture or extra_formats, or build locally (prebuilt = null)."
    }
    postcondition {
      condition     = self.checksum_sha256 == var.pins[each.key].sha256_base64
      error_message = try(length(self.checksum_sha256), 0) == 0 ? "prebuilt: s3://${var.s3_bucket}/${each.value} has no SHA-256 checksum in S3, so it cannot be verified as the release ${var.release}'s ${each.key} (SHA-256 ${var.pins[each.key].sha256_base64} in base64, ${var.pins[each.key].sha256} in hex). Upload it with S3's checksum: ${local.upload[each.key]} (or `make publish BUCKET=${var.s3_bucket} PREFIX=${local.prefix}`)." : "prebuilt: s3://${var.s3_bucket}/${each.value} is not the release ${var.release}'s ${each.key}: S3 reports SHA-256 ${self.checksum_sha256}, this module version pins ${var.pins[each.key].sha256_base64} (base64; ${var.pins[each.key].sha256} in hex). Upload the release's file again (${local.upload[each.key]}) or use the module version it belongs to."
    }
  }
}
