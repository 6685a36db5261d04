output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "log_group_name" {
  description = "CloudWatch Logs group of the function."
  value       = aws_cloudwatch_log_group.lambda.name
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.lambda.arn
}

output "source_hash" {
  description = "SHA-256 over the packaged files: the function's source_code_hash, known at plan time."
  value       = local.source_hash
}

output "zip_path" {
  description = "Path of the function ZIP on the machine that ran the apply."
  value       = local.zip_path
}
