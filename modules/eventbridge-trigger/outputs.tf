output "event_pattern" {
  description = "The rule's event pattern, as JSON."
  value       = aws_cloudwatch_event_rule.this.event_pattern
}

output "rule_arn" {
  description = "ARN of the rule."
  value       = aws_cloudwatch_event_rule.this.arn
}

output "rule_name" {
  description = "Name of the rule."
  value       = aws_cloudwatch_event_rule.this.name
}
