output "lambda_function_configurations" {
  description = "The notification rules, in the shape of aws_s3_bucket_notification's lambda_function blocks, for callers who manage the bucket's notification themselves."
  value       = local.lambda_function_configurations
}

output "permission_statement_id" {
  description = "Statement ID of the permission that lets S3 invoke the function."
  value       = aws_lambda_permission.s3.statement_id
}

output "source_account" {
  description = "Account the permission is limited to."
  value       = local.source_account
}
