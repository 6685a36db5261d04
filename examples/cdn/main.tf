# Thumbnails served by CloudFront from a bucket that stays private: the module writes every size as AVIF, WebP and
# JPEG, each under its own key, and a page's <picture> names one URL per format. CloudFront signs its reads from the
# bucket with an origin access control; the bucket's policy lets only this distribution read, and only thumbnails.

provider "aws" {
  region = var.region
}

locals {
  buckets = {
    source     = "${var.name_prefix}-uploads"
    thumbnails = "${var.name_prefix}-thumbnails"
  }
  thumbnails_prefix = "thumbnails/" # the module's destination_prefix, and the only keys CloudFront may read
}

resource "aws_s3_bucket" "this" {
  for_each = local.buckets
  #checkov:skip=CKV_AWS_144:Example: one region; cross-region replication needs a second bucket and region of the caller's choosing.
  #checkov:skip=CKV_AWS_145:Example: SSE-S3 (AES256) encryption at rest, which CloudFront reads through its origin access control with no key policy; SSE-KMS would need the distribution in the key's policy.
  #checkov:skip=CKV_AWS_18:Example: server access logs need a log bucket of the caller's choosing; CloudTrail data events are the other way.
  #checkov:skip=CKV2_AWS_61:Example data with force_destroy; a lifecycle policy is the owner's retention decision.
  #checkov:skip=CKV_AWS_21:The uploads bucket is versioned (aws_s3_bucket_versioning.source, which the check does not match to one bucket of a for_each); the thumbnails bucket holds derived pictures, made again from the sources, so their old versions would only cost storage.
  #checkov:skip=CKV2_AWS_62:This bucket's events reach the function through the module's own notification, or it only holds thumbnails, which must not trigger anything.
  #checkov:skip=CKV2_AWS_6:The public access block is the aws_s3_bucket_public_access_block resource beside it (for_each over the same buckets), which the check does not follow.

  bucket        = each.value
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = aws_s3_bucket.this

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# Every request over TLS: plain HTTP is refused, whoever asks.
data "aws_iam_policy_document" "tls_only" {
  for_each = var.tls_only ? aws_s3_bucket.this : {}

  statement {
    sid       = "DenyPlainHTTP"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

# The thumbnails are read by this distribution alone, signed by its origin access control, and only under the
# thumbnails prefix. The bucket stays private: its public access block refuses any policy that grants the public.
data "aws_iam_policy_document" "thumbnails" {
  source_policy_documents = [for key, document in data.aws_iam_policy_document.tls_only : document.json if key == "thumbnails"]

  statement {
    sid       = "CloudFrontReadsThumbnails"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.this["thumbnails"].arn}/${local.thumbnails_prefix}*"]
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

resource "aws_s3_bucket_policy" "source" {
  count = var.tls_only ? 1 : 0

  bucket = aws_s3_bucket.this["source"].id
  policy = data.aws_iam_policy_document.tls_only["source"].json
  # S3 answers OperationAborted to a policy set while the public access block is being set.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_policy" "thumbnails" {
  bucket = aws_s3_bucket.this["thumbnails"].id
  policy = data.aws_iam_policy_document.thumbnails.json
  # S3 answers OperationAborted to a policy set while the public access block is being set.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

# ACLs off: every object, thumbnails included, belongs to the bucket's own account.
resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# The uploads are versioned: an overwritten or deleted picture can be recovered. The function renders the current
# version, and a delete (which leaves a delete marker) removes the thumbnails.
resource "aws_s3_bucket_versioning" "source" {
  bucket = aws_s3_bucket.this["source"].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

module "thumbnails" {
  source = "../.."

  function_name      = "${var.name_prefix}-thumbnails"
  source_bucket      = aws_s3_bucket.this["source"].id # by id: the plan reads it once it exists
  destination_bucket = aws_s3_bucket.this["thumbnails"].bucket
  filter_prefix      = "uploads/"
  destination_prefix = local.thumbnails_prefix
  thumbnail_sizes    = var.thumbnail_sizes

  # uploads/cat.jpg at 512 becomes thumbnails/512/uploads/cat.jpg.avif, .webp and .jpg: one URL per format.
  output_formats = ["avif", "webp", "jpeg"]
  extra_formats  = ["avif"] # the AVIF codec in the layer, which writing AVIF needs
  # A picture uploaded again keeps its thumbnails' keys, so a day's caching (browsers and CloudFront alike) rather
  # than immutable; a CloudFront invalidation refreshes them sooner.
  thumbnail_objects = { cache_control = "public, max-age=86400, stale-while-revalidate=86400" }

  runtime = var.runtime
  build   = { layer_target = var.layer_build_target }
  tags    = { example = "cdn" }
}

# CloudFront signs every request to the bucket (SigV4), whatever the viewer sent.
resource "aws_cloudfront_origin_access_control" "this" {
  name                              = "${var.name_prefix}-thumbnails"
  description                       = "CloudFront reads ${local.buckets.thumbnails}."
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

# The cache key is the path alone: each format has its own URL, so neither Accept nor a query string nor a cookie
# is in it. The thumbnails' Cache-Control sets how long a copy is kept (default_ttl only when an object has none).
resource "aws_cloudfront_cache_policy" "thumbnails" {
  name        = "${var.name_prefix}-thumbnails"
  comment     = "Thumbnails: the path is the key; the objects' Cache-Control sets the TTL."
  min_ttl     = 0
  default_ttl = 86400
  max_ttl     = 31536000

  parameters_in_cache_key_and_forwarded_to_origin {
    # Pictures are compressed already: no Accept-Encoding variants.
    enable_accept_encoding_brotli = false
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

# Security headers on every response, and CORS for the origins whose scripts read the pictures' pixels (a canvas,
# fetch) or their timings; showing them in <img> or <picture> needs no CORS.
resource "aws_cloudfront_response_headers_policy" "thumbnails" {
  name    = "${var.name_prefix}-thumbnails"
  comment = "Thumbnails: HSTS, nosniff, no framing, a referrer policy; CORS and Timing-Allow-Origin for the pages' origins."

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
  }

  cors_config {
    access_control_allow_credentials = false
    origin_override                  = true
    access_control_max_age_sec       = 86400
    access_control_allow_headers {
      items = ["*"]
    }
    access_control_allow_methods {
      items = ["GET", "HEAD"]
    }
    access_control_allow_origins {
      items = var.cors_allowed_origins
    }
  }

  custom_headers_config {
    items {
      header   = "Timing-Allow-Origin"
      value    = join(", ", var.cors_allowed_origins)
      override = true
    }
  }
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_68:Example: a WAF web ACL (about 5 USD a month and its rules) is the owner's decision; the distribution serves only GET and HEAD of public pictures.
  #checkov:skip=CKV2_AWS_47:Example: no WAF web ACL (CKV_AWS_68), so no Log4j rule set; the origin is S3, which runs no Java of the owner's.
  #checkov:skip=CKV_AWS_86:Example: standard access logs need a log bucket with ACLs on (every bucket here has them off); real-time logs or CloudWatch metrics are the owner's choice.
  #checkov:skip=CKV_AWS_174:The default *.cloudfront.net certificate cannot set minimum_protocol_version (CloudFront then allows TLSv1); TLSv1.2_2021 needs the owner's ACM certificate and domain.
  #checkov:skip=CKV2_AWS_42:Example: a custom certificate needs the owner's domain and an ACM certificate in us-east-1; the default *.cloudfront.net certificate serves HTTPS.
  #checkov:skip=CKV_AWS_310:One origin: a failover origin group needs a replica of the thumbnails bucket in a second region of the owner's choosing.
  #checkov:skip=CKV_AWS_374:Thumbnails are served worldwide; a geo restriction is a legal decision of the owner's, not a security default.
  #checkov:skip=CKV_AWS_305:No page at the root: the distribution serves thumbnails by key, and a request for / is refused by the bucket (403).

  enabled         = true
  is_ipv6_enabled = true
  http_version    = "http2and3"
  comment         = "Thumbnails of ${local.buckets.source}"
  price_class     = var.price_class

  origin {
    origin_id                = "thumbnails"
    domain_name              = aws_s3_bucket.this["thumbnails"].bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.this.id
  }

  default_cache_behavior {
    target_origin_id           = "thumbnails"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    cache_policy_id            = aws_cloudfront_cache_policy.thumbnails.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.thumbnails.id
    compress                   = false # pictures are compressed already
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }

  tags = { example = "cdn" }
}
