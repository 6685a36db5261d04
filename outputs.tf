output "alarm_arns" {
  description = "ARN of each alarm by name (refused, transient-failures, errors, throttles); null without alarms."
  value       = one(module.alarms[*].alarm_arns)
}

output "batch_operations_role_arn" {
  description = "ARN of the role S3 Batch Operations assumes for the thumbnails command's jobs; null without batch_operations."
  value       = one(module.batch_operations[*].role_arn)
}

output "bucket_notification_lambda_functions" {
  description = "The notification rules (lambda_function blocks of aws_s3_bucket_notification) to merge into the bucket's notification configuration you manage, with trigger = \"none\" (also shown with \"s3\"); null with the other triggers."
  value       = one(module.s3_trigger[*].lambda_function_configurations)
}

output "dead_letter_queue_arn" {
  description = "With trigger = \"sqs\": ARN of the queue's dead-letter queue; null otherwise."
  value       = one(module.sqs_trigger[*].dead_letter_queue_arn)
}

output "eventbridge_rule_arn" {
  description = "With trigger = \"eventbridge\" (or sqs.source = \"eventbridge\"): ARN of the rule that matches the bucket's events; null otherwise."
  value       = one(module.eventbridge_trigger[*].rule_arn)
}

output "function_arn" {
  description = "ARN of the function."
  value       = module.function.function_arn
}

output "function_name" {
  description = "Name of the function."
  value       = module.function.function_name
}

output "function_zip_path" {
  description = "Path of the function ZIP on the machine that ran the apply (null with prebuilt in S3)."
  value       = module.function.zip_path
}

output "invoke_command" {
  description = "The AWS CLI line that invokes the function with test_event: write it first with terraform output -raw test_event > test-event.json."
  value       = "aws lambda invoke --function-name ${module.function.function_name} --region ${local.region} --invocation-type RequestResponse --cli-binary-format raw-in-base64-out --payload file://test-event.json out.json"
}

output "layer_version_arn" {
  description = "ARN of the layer version this module published; null with create_layer = false."
  value       = one(module.layer[*].layer_version_arn)
}

output "layer_zip_path" {
  description = "Path of the layer ZIP on the machine that ran the apply; null with create_layer = false."
  value       = one(module.layer[*].zip_path)
}

output "log_group_arn" {
  description = "ARN of the function's CloudWatch Logs group."
  value       = module.function.log_group_arn
}

output "log_group_name" {
  description = "CloudWatch Logs group of the function."
  value       = module.function.log_group_name
}

output "on_demand_bucket_policy_json" {
  description = "With on_demand: the statement CloudFront needs in the thumbnails bucket's policy (read under destination_prefix, this distribution only); add it to the bucket's policy. Null without on_demand."
  value       = one(module.on_demand[*].bucket_policy_json)
}

output "on_demand_distribution_id" {
  description = "With on_demand: the CloudFront distribution's ID. Null without on_demand."
  value       = one(module.on_demand[*].distribution_id)
}

output "on_demand_domain_name" {
  description = "With on_demand: the domain pages ask https://{it}/{preset}/{key} at. Null without on_demand."
  value       = one(module.on_demand[*].distribution_domain_name)
}

output "on_demand_function_name" {
  description = "With on_demand: the function that makes a variant on its first request. Null without on_demand."
  value       = one(module.on_demand_function[*].function_name)
}

output "policy_json" {
  description = "The permissions the function needs (S3 and its log group), as an IAM policy document: attach it to your role when create_role = false."
  value       = module.function.policy_json
}

output "queue_arn" {
  description = "With trigger = \"sqs\": ARN of the queue in front of the function; null otherwise."
  value       = one(module.sqs_trigger[*].queue_arn)
}

output "queue_url" {
  description = "With trigger = \"sqs\": URL of the queue in front of the function; null otherwise."
  value       = one(module.sqs_trigger[*].queue_url)
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = module.function.role_arn
}

output "role_name" {
  description = "Name of the function's execution role: the one created here, or the name in role_arn with create_role = false."
  value       = module.function.role_name
}

output "test_event" {
  description = "An S3 Put event for an upload to the source bucket, in the format Lambda receives (JSON)."
  value = jsonencode({
    Records = [{
      eventVersion      = "2.1"
      eventSource       = "aws:s3"
      awsRegion         = local.region
      eventTime         = "1970-01-01T00:00:00.000Z"
      eventName         = "ObjectCreated:Put"
      userIdentity      = { principalId = "EXAMPLE" }
      requestParameters = { sourceIPAddress = "127.0.0.1" }
      responseElements = {
        "x-amz-request-id" = "EXAMPLE123456789"
        "x-amz-id-2"       = "EXAMPLE123/5678abcdefghijklambdaisawesome/mnopqrstuvwxyzABCDEFGH"
      }
      s3 = {
        s3SchemaVersion = "1.0"
        configurationId = "${module.function.function_name}-0"
        bucket = {
          name          = var.source_bucket
          ownerIdentity = { principalId = "EXAMPLE" }
          arn           = "arn:${local.partition}:s3:::${var.source_bucket}"
        }
        object = {
          key       = "${var.filter_prefix}example.jpg"
          size      = 1024
          eTag      = "0123456789abcdef0123456789abcdef"
          sequencer = "0A1B2C3D4E5F678901"
        }
      }
    }]
  })
}
