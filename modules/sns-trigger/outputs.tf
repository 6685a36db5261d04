output "subscription_arn" {
  description = "ARN of the function's subscription to the topic."
  value       = aws_sns_topic_subscription.this.arn
}
