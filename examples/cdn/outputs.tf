output "destination_bucket" {
  description = "Bucket the thumbnails are written to; private, read by the distribution only."
  value       = aws_s3_bucket.this["thumbnails"].bucket
}

output "distribution_domain_name" {
  description = "The distribution's domain (dxxxx.cloudfront.net): thumbnails are at https://DOMAIN/thumbnails/SIZE/uploads/NAME.EXT."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "distribution_id" {
  description = "The distribution's ID, for an invalidation (aws cloudfront create-invalidation --distribution-id ID --paths ...)."
  value       = aws_cloudfront_distribution.this.id
}

output "function_name" {
  description = "Name of the thumbnail function."
  value       = module.thumbnails.function_name
}

output "source_bucket" {
  description = "Upload pictures under uploads/ here."
  value       = aws_s3_bucket.this["source"].bucket
}
