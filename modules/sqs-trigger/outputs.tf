output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue: messages that kept failing end here."
  value       = aws_sqs_queue.dead_letter.arn
}

output "event_source_mapping_uuid" {
  description = "UUID of the event source mapping."
  value       = aws_lambda_event_source_mapping.this.uuid
}

output "queue_arn" {
  description = "ARN of the queue."
  value       = aws_sqs_queue.this.arn
}

output "queue_url" {
  description = "URL of the queue."
  value       = aws_sqs_queue.this.id
}
