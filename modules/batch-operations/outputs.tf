output "manifests_uri" {
  description = "Where the manifests go (s3://bucket/prefix): the role may read objects under it."
  value       = "s3://${var.bucket}/${var.prefix}manifests/"
}

output "policy_json" {
  description = "The role's permissions, as an IAM policy document."
  value       = data.aws_iam_policy_document.this.json
}

output "reports_uri" {
  description = "Where the completion reports go (s3://bucket/prefix): the role may write objects under it."
  value       = "s3://${var.bucket}/${var.prefix}reports/"
}

output "role_arn" {
  description = "ARN of the role, the RoleArn of a Batch Operations job."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the role."
  value       = aws_iam_role.this.name
}
