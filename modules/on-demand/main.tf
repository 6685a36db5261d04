# Thumbnails on request: CloudFront asks the thumbnails bucket first and, when the variant is not there (403/404),
# the on-demand function's URL, which makes it, stores it under the same key and answers with it. The viewer-request
# function turns /{preset}/{key} and Accept into that key, so both origins of the group answer the same request and
# the cache key is the stored key alone.

locals {
  s3_origin  = "thumbnails-bucket"
  url_origin = "on-demand-function"
  group      = "thumbnails-then-function"
  # The function URL's host: https://{id}.lambda-url.{region}.on.aws/ without the scheme and the slash.
  url_host = split("/", aws_lambda_function_url.this.function_url)[2]
  config = {
    prefix  = var.prefix
    presets = var.presets
    formats = var.formats
    signed  = var.signed
  }
}

resource "aws_lambda_function_url" "this" {
  function_name      = var.function_name
  authorization_type = "AWS_IAM" # only CloudFront, signing through its origin access control, may call it
}

# CloudFront needs both actions on a function URL behind a lambda origin access control (InvokeFunction since
# October 2025), each limited to this distribution.
resource "aws_lambda_permission" "url" {
  statement_id           = "AllowCloudFrontInvokeFunctionUrl"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = var.function_name
  principal              = "cloudfront.amazonaws.com"
  source_arn             = aws_cloudfront_distribution.this.arn
  function_url_auth_type = "AWS_IAM"
}

resource "aws_lambda_permission" "invoke" {
  statement_id  = "AllowCloudFrontInvokeFunction"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  principal     = "cloudfront.amazonaws.com"
  source_arn    = aws_cloudfront_distribution.this.arn
}

resource "aws_cloudfront_origin_access_control" "s3" {
  name                              = "${var.name}-s3"
  description                       = "CloudFront reads the thumbnails bucket, signed."
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_origin_access_control" "lambda" {
  name                              = "${var.name}-lambda"
  description                       = "CloudFront calls the on-demand function's URL, signed."
  origin_access_control_origin_type = "lambda"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_function" "viewer_request" {
  name    = "${var.name}-viewer-request"
  runtime = "cloudfront-js-2.0"
  comment = "/{preset}/{key} + Accept -> the stored key of the variant"
  publish = true
  code    = templatefile("${path.module}/viewer-request.js", { config = jsonencode(local.config) })
}

# Only the rewritten path is in the cache key (it names size, key and format); max_age bounds how long a variant
# is served from the cache, as an upper limit on the Cache-Control the thumbnails carry.
resource "aws_cloudfront_cache_policy" "this" {
  name        = "${var.name}-thumbnails"
  comment     = "The stored key alone"
  min_ttl     = 0 # a redirect or an error answered with no-store is never cached
  default_ttl = var.max_age
  max_ttl     = var.max_age

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = false # pictures are compressed already
    enable_accept_encoding_gzip   = false
    cookies_config {
      cookie_behavior = "none"
    }
    headers_config {
      header_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

# The two headers the viewer-request function sets reach the origin, outside the cache key: a signed size's
# signature, and the viewer's own path (where a redirect over Lambda's 6 MB response limit sends it back).
resource "aws_cloudfront_origin_request_policy" "this" {
  name    = "${var.name}-thumbnails"
  comment = "The on-demand function's two headers"

  cookies_config {
    cookie_behavior = "none"
  }
  headers_config {
    header_behavior = "whitelist"
    headers {
      items = ["x-thumbnail-signature", "x-thumbnail-viewer-path"]
    }
  }
  query_strings_config {
    query_string_behavior = "none"
  }
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_68:WAF is the caller's choice (web_acl_id); every request that is no preset is refused at the edge by the viewer-request function, before any origin.
  #checkov:skip=CKV2_AWS_47:WAF is the caller's choice (web_acl_id); the origins are a private bucket and a function that parses only a key.
  #checkov:skip=CKV_AWS_86:Access logs need a log bucket of the caller's choosing; the function's own logs record every variant made or refused.
  #checkov:skip=CKV_AWS_174:The default *.cloudfront.net certificate (TLS 1.2 is negotiated by browsers); an alias with its own certificate and minimum protocol is the caller's to add.
  #checkov:skip=CKV2_AWS_42:The default *.cloudfront.net certificate; a custom domain is the caller's to add.
  #checkov:skip=CKV2_AWS_32:A response headers policy (HSTS, CSP) belongs to the site that embeds the pictures; the variants carry their own Cache-Control.
  #checkov:skip=CKV_AWS_305:No root object: the distribution serves /{preset}/{key} only, and / is refused at the edge.
  #checkov:skip=CKV_AWS_374:Thumbnails are served worldwide; a geo restriction is a legal decision of the owner's, not a security default.
  #checkov:skip=CKV2_AWS_46:The S3 origin is signed by an origin access control (the successor of the origin access identity this check looks for).
  enabled         = true
  comment         = "Thumbnails on request (${var.name})"
  price_class     = var.price_class
  http_version    = "http2and3"
  is_ipv6_enabled = true
  web_acl_id      = var.web_acl_id
  # Not waited for: a new distribution takes minutes to reach every edge, and nothing in the stack needs it there.
  wait_for_deployment = false

  origin {
    origin_id                = local.s3_origin
    domain_name              = var.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.s3.id
  }

  origin {
    origin_id                = local.url_origin
    domain_name              = local.url_host
    origin_access_control_id = aws_cloudfront_origin_access_control.lambda.id
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  # Without s3:ListBucket a missing key is 403, not 404: both fail over to the function.
  origin_group {
    origin_id = local.group
    failover_criteria {
      status_codes = [403, 404]
    }
    member {
      origin_id = local.s3_origin
    }
    member {
      origin_id = local.url_origin
    }
  }

  default_cache_behavior {
    target_origin_id         = local.group
    viewer_protocol_policy   = "redirect-to-https"
    allowed_methods          = ["GET", "HEAD"]
    cached_methods           = ["GET", "HEAD"]
    cache_policy_id          = aws_cloudfront_cache_policy.this.id
    origin_request_policy_id = aws_cloudfront_origin_request_policy.this.id
    compress                 = false

    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.viewer_request.arn
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

  tags = var.tags
}

# What CloudFront needs in the thumbnails bucket's policy: read the thumbnails, for this distribution only. An
# output, not a bucket policy: a bucket has one policy, and writing it would replace the owner's.
data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "CloudFrontReadsThumbnails"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["arn:${var.partition}:s3:::${var.bucket}/${var.prefix}*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.this.arn]
    }
  }
}

# The upload function invalidates what CloudFront cached of a source that changed (invalidate = true).
data "aws_iam_policy_document" "invalidate" {
  count = var.invalidating_role_name == null ? 0 : 1

  statement {
    sid       = "InvalidateChangedSources"
    effect    = "Allow"
    actions   = ["cloudfront:CreateInvalidation"]
    resources = [aws_cloudfront_distribution.this.arn]
  }
}

resource "aws_iam_role_policy" "invalidate" {
  count = var.invalidating_role_name == null ? 0 : 1

  name   = "${var.name}-invalidate"
  role   = var.invalidating_role_name
  policy = data.aws_iam_policy_document.invalidate[0].json
}
