# The CloudFront resources an on-demand stack uses, applied and destroyed on localaws by
# tests/localaws/test_cloudfront.py.

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "zip" {
  type = string
}

variable "runtime" {
  type = string
}

variable "name" {
  type = string
}

resource "aws_s3_bucket" "thumbnails" {
  bucket        = "${var.name}-thumbnails"
  force_destroy = true
}

resource "aws_iam_role" "fn" {
  name = "${var.name}-fn"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_lambda_function" "this" {
  function_name = "${var.name}-render"
  role          = aws_iam_role.fn.arn
  handler       = "index.handler"
  runtime       = var.runtime
  filename      = var.zip
}

resource "aws_lambda_function_url" "this" {
  function_name      = aws_lambda_function.this.function_name
  authorization_type = "AWS_IAM"
}

resource "aws_cloudfront_origin_access_control" "s3" {
  name                              = "${var.name}-s3"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_origin_access_control" "lambda" {
  name                              = "${var.name}-lambda"
  origin_access_control_origin_type = "lambda"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_function" "rewrite" {
  name    = "${var.name}-rewrite"
  runtime = "cloudfront-js-2.0"
  publish = true
  code    = "async function handler(event) { return event.request; }"
}

resource "aws_cloudfront_cache_policy" "path" {
  name        = "${var.name}-path-only"
  min_ttl     = 0
  default_ttl = 86400
  max_ttl     = 31536000
  parameters_in_cache_key_and_forwarded_to_origin {
    cookies_config {
      cookie_behavior = "none"
    }
    headers_config {
      header_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "none"
    }
    enable_accept_encoding_brotli = false
    enable_accept_encoding_gzip   = false
  }
}

resource "aws_cloudfront_distribution" "this" {
  enabled             = true
  comment             = "on-demand thumbnails"
  wait_for_deployment = false # localaws's distributions are Deployed at once; this skips the provider's fixed 30 s

  origin {
    origin_id                = "s3"
    domain_name              = aws_s3_bucket.thumbnails.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.s3.id
  }

  origin {
    origin_id                = "render"
    domain_name              = split("/", aws_lambda_function_url.this.function_url)[2]
    origin_access_control_id = aws_cloudfront_origin_access_control.lambda.id
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  origin_group {
    origin_id = "thumbnails"
    failover_criteria {
      status_codes = [403, 404]
    }
    member {
      origin_id = "s3"
    }
    member {
      origin_id = "render"
    }
  }

  default_cache_behavior {
    target_origin_id         = "thumbnails"
    viewer_protocol_policy   = "redirect-to-https"
    allowed_methods          = ["GET", "HEAD"]
    cached_methods           = ["GET", "HEAD"]
    cache_policy_id          = aws_cloudfront_cache_policy.path.id
    origin_request_policy_id = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.rewrite.arn
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}

resource "aws_lambda_permission" "url" {
  statement_id           = "cloudfront-url"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.this.function_name
  principal              = "cloudfront.amazonaws.com"
  source_arn             = aws_cloudfront_distribution.this.arn
  function_url_auth_type = "AWS_IAM"
}

resource "aws_lambda_permission" "invoke" {
  statement_id  = "cloudfront-invoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "cloudfront.amazonaws.com"
  source_arn    = aws_cloudfront_distribution.this.arn
}

output "distribution_id" { value = aws_cloudfront_distribution.this.id }
output "function_url" { value = aws_lambda_function_url.this.function_url }
output "distribution_arn" { value = aws_cloudfront_distribution.this.arn }
output "function_name" { value = aws_lambda_function.this.function_name }
output "cloudfront_function_arn" { value = aws_cloudfront_function.rewrite.arn }
output "cache_policy_id" { value = aws_cloudfront_cache_policy.path.id }
output "origin_access_control_ids" { value = [aws_cloudfront_origin_access_control.s3.id, aws_cloudfront_origin_access_control.lambda.id] }
