output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
  # A trigger made from this may call the function at once: the role's permissions are attached first.
  depends_on = [aws_iam_role_policy.lambda, aws_iam_role_policy_attachment.extra]
}

output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
  depends_on  = [aws_iam_role_policy.lambda, aws_iam_role_policy_attachment.extra]
}

output "log_group_arn" {
  description = "ARN of the function's CloudWatch Logs group."
  value       = aws_cloudwatch_log_group.lambda.arn
}

output "log_group_name" {
  description = "CloudWatch Logs group of the function."
  value       = aws_cloudwatch_log_group.lambda.name
}

output "policy_json" {
  description = "The permissions the function needs, as an IAM policy document: attach it to your role when create_role = false."
  value       = data.aws_iam_policy_document.policy_json.json
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = local.role_arn
}

output "role_name" {
  description = "Name of the function's execution role: the one created here, or the last part of role_arn (a role's path is not part of its name)."
  value       = var.create_role ? one(aws_iam_role.lambda[*].name) : element(split("/", var.role_arn), length(split("/", var.role_arn)) - 1)
}

output "source_hash" {
  description = "SHA-256 over the packaged files: the function's source_code_hash, known at plan time."
  value       = local.source_hash
}

output "zip_path" {
  description = "Path of the function ZIP on the machine that ran the apply; the released file's path, or null, with package."
  value       = var.package == null ? local.zip_path : var.package.filename
}
