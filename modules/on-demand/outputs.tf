output "bucket_policy_json" {
  description = "The statement CloudFront needs in the thumbnails bucket's policy (read under the prefix, this distribution only)."
  value       = data.aws_iam_policy_document.bucket.json
}

output "distribution_arn" {
  description = "ARN of the distribution."
  value       = aws_cloudfront_distribution.this.arn
}

output "distribution_domain_name" {
  description = "The distribution's domain name: pages ask https://{it}/{preset}/{key}."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "distribution_id" {
  description = "ID of the distribution."
  value       = aws_cloudfront_distribution.this.id
}

output "function_url" {
  description = "The on-demand function's URL (AWS_IAM: only this distribution may call it)."
  value       = aws_lambda_function_url.this.function_url
}

output "viewer_request_code" {
  description = "The viewer-request function's code, as rendered."
  value       = aws_cloudfront_function.viewer_request.code
}
