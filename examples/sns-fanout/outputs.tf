output "function_name" {
  description = "The thumbnail function, one subscriber of the topic."
  value       = module.thumbnails.function_name
}

output "topic_arn" {
  description = "The topic the bucket publishes to; subscribe more consumers here."
  value       = aws_sns_topic.bucket_events.arn
}
