output "database_address" {
  description = "Where the catalogue database listens (inside the VPC)."
  value       = aws_db_instance.this.address
}

output "database_secret_arn" {
  description = "The secret RDS manages for the database's master user (username and password)."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "destination_bucket" {
  description = "Bucket the thumbnails are written to."
  value       = aws_s3_bucket.this["thumbnails"].bucket
}

output "function_name" {
  description = "Name of the thumbnail function."
  value       = module.thumbnails.function_name
}

output "source_bucket" {
  description = "Upload pictures under uploads/ here."
  value       = aws_s3_bucket.this["source"].bucket
}
