output "existing_queue_url" {
  description = "The queue the bucket notified before the module came; it still receives every upload."
  value       = aws_sqs_queue.existing.id
}

output "function_names" {
  description = "The two instances' functions, by prefix."
  value       = { for prefix, instance in module.thumbnails : prefix => instance.function_name }
}

output "source_bucket" {
  description = "The shared bucket."
  value       = aws_s3_bucket.photos.bucket
}
