output "build_hash" {
  description = "Content hash of what the layer is built from (requirements, runtime, architecture, target, build script)."
  value       = local.build_hash
}

output "layer_arn" {
  description = "ARN of the layer, without version."
  value       = aws_lambda_layer_version.this.layer_arn
}

output "layer_version_arn" {
  description = "ARN of the published layer version, for a function's layers."
  value       = aws_lambda_layer_version.this.arn
}

output "zip_path" {
  description = "Path of the layer ZIP on the machine that ran the apply; the released file's path or null with package."
  value       = var.package == null ? local.zip_path : var.package.filename
}
