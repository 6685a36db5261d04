output "destination_bucket" {
  description = "Bucket the thumbnails are written to; private, read by the distribution only."
  value       = aws_s3_bucket.this["thumbnails"].bucket
}

output "distribution_domain_name" {
  description = "Pages ask https://DOMAIN/{thumb|card|hero}/uploads/NAME."
  value       = module.thumbnails.on_demand_domain_name
}

output "on_demand_function_name" {
  description = "The function that makes a variant on its first request."
  value       = module.thumbnails.on_demand_function_name
}

output "source_bucket" {
  description = "Upload pictures under uploads/ here."
  value       = aws_s3_bucket.this["source"].bucket
}
