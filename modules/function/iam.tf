# The function's execution role: who may take it (Lambda, for this account only) and what it may do, in two
# policies: "thumbnails-setup" (what Lambda checks when it creates the function, and its own log group) and
# "thumbnails" (its S3 reads and writes, and each optional permission only when its input is set). The
# policy_json output is both as one document, for a role of the caller's own (create_role = false).

locals {
  ec2_arn = "arn:${local.partition}:ec2:${data.aws_region.current.id}:*" # network interfaces, subnets, groups
  # The destination's service decides the action the role needs to send a failed event there.
  destination_actions = {
    sqs    = ["sqs:SendMessage"]
    sns    = ["sns:Publish"]
    lambda = ["lambda:InvokeFunction"]
    events = ["events:PutEvents"]
    s3     = ["s3:PutObject", "s3:ListBucket"]
  }
  destination_service = var.on_failure_destination_arn == null ? null : split(":", var.on_failure_destination_arn)[2]
  # IAM is global: the region in the name lets the same stack live in several regions of one account.
  role_name = coalesce(var.role_name, substr("${var.function_name}-${data.aws_region.current.id}", 0, 64))
  listings = merge(
    { FindSources = var.read_access },
    var.write_access.delete ? { FindThumbnails = var.write_access } : {},
  )
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    # Only Lambda acting for a function of this account may take the role (the confused-deputy guard).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [coalesce(var.account_id, one(data.aws_caller_identity.current[*].account_id))]
    }
  }
}

resource "aws_iam_role" "lambda" {
  count = var.create_role ? 1 : 0

  name                 = local.role_name
  path                 = var.role_path
  permissions_boundary = var.role_permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  tags                 = var.tags
}

moved {
  from = aws_iam_role.lambda
  to   = aws_iam_role.lambda[0]
}

data "aws_iam_policy_document" "lambda" {
  # Every S3 statement holds only while the bucket belongs to the expected account (s3:ResourceAccount): a
  # bucket name freed and registered again by someone else is neither read nor written.
  statement {
    sid       = "ReadSources"
    actions   = ["s3:GetObject"] # the current version only: the function never reads a version by its ID
    resources = ["arn:${local.partition}:s3:::${var.read_access.bucket}/${var.read_access.prefix}*"]

    dynamic "condition" {
      for_each = var.read_access.account == null ? [] : [var.read_access.account]
      content {
        test     = "StringEquals"
        variable = "s3:ResourceAccount"
        values   = [condition.value]
      }
    }
  }

  statement {
    sid       = "WriteThumbnails"
    actions   = concat(["s3:PutObject"], var.write_access.tags ? ["s3:PutObjectTagging"] : [], var.write_access.delete ? ["s3:GetObject", "s3:DeleteObject"] : [])
    resources = ["arn:${local.partition}:s3:::${var.write_access.bucket}/${var.write_access.prefix}*"]

    dynamic "condition" {
      for_each = var.write_access.account == null ? [] : [var.write_access.account]
      content {
        test     = "StringEquals"
        variable = "s3:ResourceAccount"
        values   = [condition.value]
      }
    }
  }

  # Whether an object exists is a listing of its own key (a HEAD of a missing key is 403 without ListBucket), and
  # removing a deleted object's thumbnails lists theirs: ListBucket, for the prefix only.
  dynamic "statement" {
    for_each = local.listings
    content {
      sid       = statement.key
      actions   = ["s3:ListBucket"]
      resources = ["arn:${local.partition}:s3:::${statement.value.bucket}"]

      dynamic "condition" {
        for_each = statement.value.prefix == "" ? [] : [statement.value.prefix]
        content {
          test     = "StringLike"
          variable = "s3:prefix"
          values   = ["${condition.value}*"]
        }
      }
      dynamic "condition" {
        for_each = statement.value.account == null ? [] : [statement.value.account]
        content {
          test     = "StringEquals"
          variable = "s3:ResourceAccount"
          values   = [condition.value]
        }
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.bucket_kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "UseBucketKeys"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = var.bucket_kms_key_arns
      # Only for S3's encryption of the buckets' objects, never a direct call.
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${data.aws_region.current.id}.amazonaws.com"]
      }
    }
  }

  # The catalogue's login: this one secret, and its key only when Secrets Manager decrypts it for the function.
  dynamic "statement" {
    for_each = var.secret == null ? [] : [var.secret.arn]
    content {
      sid       = "ReadDatabaseSecret"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = try(var.secret.kms_key_arn, null) == null ? [] : [var.secret.kms_key_arn]
    content {
      sid       = "DecryptDatabaseSecret"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${data.aws_region.current.id}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = local.destination_service == null ? [] : [1]
    content {
      sid     = "SendFailedEvents"
      actions = local.destination_actions[local.destination_service]
      resources = local.destination_service == "s3" ? [
        var.on_failure_destination_arn, "${var.on_failure_destination_arn}/*"
      ] : [var.on_failure_destination_arn]
    }
  }

  # The caller's own statements (role_policy_statements), after the module's.
  dynamic "statement" {
    for_each = var.role_policy_statements
    content {
      sid       = statement.value.sid
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = statement.value.resources
      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy_attachment" "extra" {
  # Keyed by position: the ARNs may be unknown until another resource of the caller's exists.
  for_each = var.create_role ? { for i, arn in var.role_policy_arns : tostring(i) => arn } : {}

  role       = aws_iam_role.lambda[0].name
  policy_arn = each.value
}

resource "aws_iam_role_policy" "lambda" {
  count = var.create_role ? 1 : 0

  name   = "thumbnails"
  role   = aws_iam_role.lambda[0].id
  policy = data.aws_iam_policy_document.lambda.json
}

# What the function needs from its creation on: Lambda checks the network interface and dead-letter permissions
# when it creates the function, and the function's first words go to its log group. The function waits for this
# policy alone; everything its work needs (the lambda document above) is attached before any trigger can call it
# (the function_arn and function_name outputs wait for it), so a resource made in the same apply that only that
# document names, such as an on-failure queue the aws provider watches for 25 s after creating it, no longer holds
# the function back.
data "aws_iam_policy_document" "setup" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.lambda.arn}:*"]
  }

  # X-Ray has no resource-level permissions: its two write actions can only be granted on "*".
  dynamic "statement" {
    for_each = var.tracing_mode == "Active" ? [1] : []
    content {
      sid       = "WriteTraces"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.dead_letter_target_arn == null ? [] : [var.dead_letter_target_arn]
    content {
      sid       = "SendDeadLetters"
      actions   = [split(":", statement.value)[2] == "sqs" ? "sqs:SendMessage" : "sns:Publish"]
      resources = [statement.value]
    }
  }

  # Lambda's network interfaces in the caller's subnets: creating one is limited to those subnets and security
  # groups; describing them has no resource-level permission.
  dynamic "statement" {
    for_each = var.vpc == null ? [] : [var.vpc]
    content {
      sid     = "AttachToSubnets"
      actions = ["ec2:CreateNetworkInterface"]
      resources = concat(
        ["${local.ec2_arn}:network-interface/*"],
        [for id in statement.value.subnet_ids : "${local.ec2_arn}:subnet/${id}"],
        [for id in statement.value.security_group_ids : "${local.ec2_arn}:security-group/${id}"],
      )
    }
  }

  dynamic "statement" {
    for_each = var.vpc == null ? [] : [var.vpc]
    content {
      sid       = "ManageNetworkInterfaces"
      actions   = ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
      resources = ["${local.ec2_arn}:network-interface/*"]
    }
  }

  dynamic "statement" {
    for_each = var.vpc == null ? [] : [var.vpc]
    content {
      sid       = "DescribeNetworkInterfaces"
      actions   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "setup" {
  count = var.create_role ? 1 : 0

  name   = "thumbnails-setup"
  role   = aws_iam_role.lambda[0].id
  policy = data.aws_iam_policy_document.setup.json
}

# Everything the function needs, as one document: the policy_json output, for a role of the caller's own.
data "aws_iam_policy_document" "policy_json" {
  source_policy_documents = [data.aws_iam_policy_document.setup.json, data.aws_iam_policy_document.lambda.json]
}

moved {
  from = aws_iam_role_policy.lambda
  to   = aws_iam_role_policy.lambda[0]
}
