output "bucket_notification_lambda_functions" {
  description = "The notification rules (lambda_function blocks of aws_s3_bucket_notification), for callers who set create_bucket_notification = false and manage the bucket's notification themselves."
  value       = module.s3_trigger.lambda_function_configurations
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
  description = "Path of the function ZIP on the machine that ran the apply."
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

output "log_group_name" {
  description = "CloudWatch Logs group of the function."
  value       = module.function.log_group_name
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = module.function.role_arn
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
