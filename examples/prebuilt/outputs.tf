output "function_name" {
  description = "The thumbnail function."
  value       = module.thumbnails.function_name
}

output "source_bucket" {
  description = "Upload pictures under uploads/ here."
  value       = aws_s3_bucket.uploads.bucket
}
