output "dead_letter_queue_arn" {
  description = "Where messages that kept failing end."
  value       = module.thumbnails.dead_letter_queue_arn
}

output "function_name" {
  description = "The thumbnail function."
  value       = module.thumbnails.function_name
}

output "function_zip_path" {
  description = "The function ZIP this machine built."
  value       = module.thumbnails.function_zip_path
}

output "queue_url" {
  description = "The queue in front of the function."
  value       = module.thumbnails.queue_url
}

output "source_bucket" {
  description = "Upload under uploads/ here; thumbnails appear under thumbnails/."
  value       = aws_s3_bucket.uploads.bucket
}
