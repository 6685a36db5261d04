output "destination_bucket" {
  description = "Bucket the thumbnails are written to."
  value       = aws_s3_bucket.this["thumbnails"].bucket
}

output "failed_queue_url" {
  description = "Queue that receives the events whose retries are exhausted."
  value       = aws_sqs_queue.failed.url
}

output "function_name" {
  description = "Name of the thumbnail function."
  value       = module.thumbnails.function_name
}

output "function_zip_path" {
  description = "The function ZIP this apply deployed."
  value       = module.thumbnails.function_zip_path
}

output "invoke_command" {
  description = "The AWS CLI line that invokes the function with test_event."
  value       = module.thumbnails.invoke_command
}

output "layer_zip_path" {
  description = "The layer ZIP this apply published."
  value       = module.thumbnails.layer_zip_path
}

output "source_bucket" {
  description = "Upload pictures under uploads/ here."
  value       = aws_s3_bucket.this["source"].bucket
}

output "test_event" {
  description = "An S3 Put event for this stack's source bucket."
  value       = module.thumbnails.test_event
}
