output "function_name" {
  description = "The thumbnail function."
  value       = module.thumbnails.function_name
}
