# Subscribe the function to a topic the bucket already publishes its events to: the classic S3 fan-out.

resource "aws_sns_topic_subscription" "this" {
  topic_arn = var.topic_arn
  protocol  = "lambda"
  endpoint  = var.function_arn

  # SNS invokes the function as soon as the subscription exists.
  depends_on = [aws_lambda_permission.sns]
}

resource "aws_lambda_permission" "sns" {
  statement_id  = "AllowSNSInvoke-${element(split(":", var.topic_arn), 5)}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = var.topic_arn
}
