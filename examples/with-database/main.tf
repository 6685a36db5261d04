# The image catalogue: RDS for MySQL in private subnets, its master user's password managed by RDS in Secrets
# Manager, and the thumbnails module in the same subnets, recording every thumbnail in a table. The function needs
# no NAT: S3 is reached through a gateway endpoint, Secrets Manager through an interface endpoint.

provider "aws" {
  region = var.region
}

locals {
  zones = [for letter in ["a", "b"] : "${var.region}${letter}"] # RDS wants subnets in two zones; every region has these
  buckets = {
    source     = "${var.name_prefix}-uploads"
    thumbnails = "${var.name_prefix}-thumbnails"
  }
}

# -- network: private subnets only ----------------------------------------------------------------------------------

resource "aws_vpc" "this" {
  #checkov:skip=CKV2_AWS_11:Example: VPC flow logs need a log destination and retention of the caller's choosing; nothing here has a public address.
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true # the Secrets Manager endpoint's private DNS name
  tags                 = { Name = var.name_prefix }
}

# The default security group admits nothing: every resource here has a group of its own.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
}

resource "aws_subnet" "private" {
  count = length(local.zones)

  vpc_id            = aws_vpc.this.id
  availability_zone = local.zones[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index)
  tags              = { Name = "${var.name_prefix}-private-${local.zones[count.index]}" }
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${var.name_prefix}-private" }
}

resource "aws_route_table_association" "private" {
  count = length(aws_subnet.private)

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]
}

resource "aws_vpc_endpoint" "secretsmanager" {
  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${var.region}.secretsmanager"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = aws_subnet.private[*].id
  security_group_ids  = [aws_security_group.endpoints.id]
}

# -- who may talk to whom: the function to the database, to Secrets Manager, and to S3; nothing else ---------------

resource "aws_security_group" "function" {
  name        = "${var.name_prefix}-function"
  description = "The thumbnail function: out to the database, Secrets Manager and S3 only"
  vpc_id      = aws_vpc.this.id
}

resource "aws_security_group" "database" {
  name        = "${var.name_prefix}-database"
  description = "The catalogue database: MySQL from the thumbnail function only"
  vpc_id      = aws_vpc.this.id
}

resource "aws_security_group" "endpoints" {
  name        = "${var.name_prefix}-endpoints"
  description = "The Secrets Manager endpoint: HTTPS from the thumbnail function only"
  vpc_id      = aws_vpc.this.id
}

resource "aws_vpc_security_group_egress_rule" "function_to_database" {
  security_group_id            = aws_security_group.function.id
  description                  = "MySQL to the catalogue database"
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  referenced_security_group_id = aws_security_group.database.id
}

resource "aws_vpc_security_group_egress_rule" "function_to_endpoints" {
  security_group_id            = aws_security_group.function.id
  description                  = "HTTPS to the Secrets Manager endpoint"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.endpoints.id
}

resource "aws_vpc_security_group_egress_rule" "function_to_s3" {
  security_group_id = aws_security_group.function.id
  description       = "HTTPS to S3 through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = aws_vpc_endpoint.s3.prefix_list_id
}

resource "aws_vpc_security_group_ingress_rule" "database_from_function" {
  security_group_id            = aws_security_group.database.id
  description                  = "MySQL from the thumbnail function"
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  referenced_security_group_id = aws_security_group.function.id
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_from_function" {
  security_group_id            = aws_security_group.endpoints.id
  description                  = "HTTPS from the thumbnail function"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.function.id
}

# -- the database: its master user's password is RDS's to make and rotate, in Secrets Manager ------------------------

resource "aws_db_subnet_group" "this" {
  name       = var.name_prefix
  subnet_ids = aws_subnet.private[*].id
}

resource "aws_db_instance" "this" {
  #checkov:skip=CKV_AWS_161:The function logs in with the secret RDS manages and rotates; IAM database authentication would need a token per connection and a second way in.
  #checkov:skip=CKV_AWS_157:Example: one instance; Multi-AZ doubles the cost, and the catalogue is rebuilt from the thumbnails' metadata by re-running the uploads.
  #checkov:skip=CKV_AWS_118:Example: enhanced monitoring needs an IAM role and a granularity of the caller's choosing; CloudWatch's standard RDS metrics are on.
  #checkov:skip=CKV_AWS_129:Example: log exports go to CloudWatch log groups whose retention the caller chooses; errors stay readable in the RDS console.
  #checkov:skip=CKV2_AWS_30:Example: query logging (general_log) needs a parameter group and costs storage; turn it on for an audit, not by default.
  #checkov:skip=CKV_AWS_353:Example: Performance Insights is a paid option on small instance classes; the catalogue's queries are single-row upserts.
  #checkov:skip=CKV_AWS_354:Performance Insights is off (see CKV_AWS_353), so it has no data to encrypt.
  #checkov:skip=CKV_AWS_293:Example: deletion_protection is a variable (default true) so that the example can be destroyed on purpose.
  identifier     = var.name_prefix
  engine         = "mysql"
  engine_version = var.mysql_version
  instance_class = var.instance_class

  allocated_storage = 20
  storage_encrypted = true

  db_name                     = "catalogue"
  username                    = "thumbnails"
  manage_master_user_password = true # RDS makes the password and keeps it in Secrets Manager; no one types it

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.database.id]
  publicly_accessible    = false

  backup_retention_period    = 7
  copy_tags_to_snapshot      = true
  auto_minor_version_upgrade = true
  deletion_protection        = var.deletion_protection
  skip_final_snapshot        = !var.deletion_protection
  final_snapshot_identifier  = var.deletion_protection ? "${var.name_prefix}-final" : null
}

# -- the buckets ----------------------------------------------------------------------------------------------------

resource "aws_s3_bucket" "this" {
  for_each = local.buckets
  #checkov:skip=CKV_AWS_144:Example: one region; cross-region replication needs a second bucket and region of the caller's choosing.
  #checkov:skip=CKV_AWS_145:Example: SSE-S3 (AES256) encryption at rest; SSE-KMS with the caller's key works too (the module's kms_key_arns).
  #checkov:skip=CKV_AWS_18:Example: server access logs need a log bucket of the caller's choosing; CloudTrail data events are the other way.
  #checkov:skip=CKV2_AWS_61:Example data; a lifecycle policy is the owner's retention decision.
  #checkov:skip=CKV_AWS_21:The uploads bucket is versioned (aws_s3_bucket_versioning.source, which the check does not match to one bucket of a for_each); the thumbnails bucket holds derived pictures, made again from the sources, so their old versions would only cost storage.
  #checkov:skip=CKV2_AWS_62:The source's events reach the function through the module's notification (checkov does not follow the module); the thumbnail bucket must not trigger anything.
  #checkov:skip=CKV2_AWS_6:The public access block is the aws_s3_bucket_public_access_block resource beside it (for_each over the same buckets), which the check does not follow.

  bucket = each.value
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

resource "aws_s3_bucket_policy" "tls_only" {
  for_each = data.aws_iam_policy_document.tls_only

  bucket = aws_s3_bucket.this[each.key].id
  policy = each.value.json
  # S3 answers OperationAborted to a policy set while the public access block is being set.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

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

# -- the thumbnails, recorded -----------------------------------------------------------------------------------------

module "thumbnails" {
  source = "../.."

  function_name      = var.function_name
  source_bucket      = aws_s3_bucket.this["source"].id # by id: the plan reads it once it exists
  destination_bucket = aws_s3_bucket.this["thumbnails"].bucket
  filter_prefix      = "uploads/"
  thumbnail_sizes    = [1024, 256, "128x128"]

  # The secret RDS manages holds the user and password only; the instance says where it is.
  database = {
    secret_arn = aws_db_instance.this.master_user_secret[0].secret_arn
    host       = aws_db_instance.this.address
    port       = aws_db_instance.this.port
    name       = aws_db_instance.this.db_name
  }
  vpc = {
    subnet_ids         = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.function.id]
  }

  runtime = var.runtime
  build   = { layer_target = var.layer_build_target }
  tags    = { example = "with-database" }
}
