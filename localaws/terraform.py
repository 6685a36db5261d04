"""``localaws terraform ARGS``: Terraform in the current directory, with the AWS provider pointed at localaws.

As LocalStack's ``tflocal``: for the run, a provider override file (``localaws_override.tf.json``; Terraform merges
``*_override`` files into the blocks they name) points every service the stack may call at the endpoint, with
path-style S3, dummy credentials and the checks that would go to AWS skipped; it is removed afterwards, whatever
the run's end. The endpoint is ``AWS_ENDPOINT_URL``, else localaws's default (``http://127.0.0.1:4566``). Each
``provider "aws"`` block of the directory is overridden (aliases too); a directory with none gets one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DEFAULT_ENDPOINT = "http://127.0.0.1:4566"
OVERRIDE = "localaws_override.tf.json"  # merged into the directory's provider "aws" blocks
PROVIDER = "localaws_provider.tf.json"  # the default provider, for a directory that declares none
MARK = "written by `localaws terraform` for one run, and removed after it"
# Every service of the AWS provider that a stack is likely to call, with the same name in hashicorp/aws 5.x and
# 6.x: all of them go to localaws (moto answers what it models), none to AWS.
SERVICES = (
    "acm", "apigateway", "apigatewayv2", "appsync", "athena", "autoscaling", "backup", "batch", "cloudcontrol",
    "cloudformation", "cloudfront", "cloudtrail", "cloudwatch", "codebuild", "codecommit", "cognitoidentity",
    "cognitoidp",
    "dynamodb", "ec2", "ecr", "ecs", "efs", "eks", "elasticache", "elb", "elbv2", "emr", "es", "events",
    "firehose", "glue", "iam", "iot", "kafka", "kinesis", "kms", "lambda", "logs", "opensearch", "organizations",
    "rds", "redshift", "resourcegroupstaggingapi", "route53", "s3", "s3control", "scheduler", "secretsmanager",
    "ses", "sesv2", "sfn", "sns", "sqs", "ssm", "sts", "wafv2", "xray",
)  # fmt: skip


def endpoint_url(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return (env.get("AWS_ENDPOINT_URL") or DEFAULT_ENDPOINT).rstrip("/")


def provider_settings(url: str) -> dict[str, Any]:
    """What a provider block needs to talk to localaws at ``url``."""
    return {
        "access_key": "localaws",
        "secret_key": "localaws",
        "s3_use_path_style": True,  # bucket.127.0.0.1 does not resolve: the bucket goes in the path
        "skip_credentials_validation": True,
        "skip_metadata_api_check": True,
        "skip_region_validation": True,
        "skip_requesting_account_id": False,  # localaws's STS answers: the account is 123456789012
        "endpoints": [{service: url for service in SERVICES}],
    }


def aws_providers(directory: Path) -> dict[str | None, bool]:
    """The directory's ``provider "aws"`` blocks: alias (None: the default) -> whether it sets ``region``."""
    import hcl2

    found: dict[str | None, bool] = {}
    for path in sorted(directory.glob("*.tf")):
        if path.name.endswith("_override.tf"):
            continue
        try:
            with path.open() as f:
                parsed = hcl2.load(f)
        except Exception as error:  # Terraform says what is wrong with the file, with its line
            print(f"localaws terraform: {path.name} not read ({error}): not overridden", file=sys.stderr)
            continue
        for block in parsed.get("provider", []):
            for name, body in block.items():
                if name.strip('"') == "aws":
                    alias = body.get("alias")
                    found[str(alias).strip('"') if alias else None] = "region" in body
    return found


def region(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"


def override_files(directory: Path, url: str, environ: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """File name -> content: the override of every ``provider "aws"`` block, and a default provider where the
    directory has none (an override needs a block to merge into)."""
    declared = aws_providers(directory)
    overrides = []
    for alias, has_region in declared.items():
        block = provider_settings(url)
        if alias is not None:
            block["alias"] = alias
        if not has_region:
            block["region"] = region(environ)
        overrides.append(block)
    files: dict[str, dict[str, Any]] = {}
    if overrides:
        files[OVERRIDE] = {"//": MARK, "provider": {"aws": overrides}}
    if None not in declared:
        files[PROVIDER] = {"//": MARK, "provider": {"aws": [{**provider_settings(url), "region": region(environ)}]}}
    return files


def working_directory(args: list[str]) -> tuple[Path, list[str]]:
    """Terraform's directory: ``-chdir=DIR`` (Terraform's own global option) or the current one."""
    if args and args[0].startswith("-chdir="):
        return Path(args[0].split("=", 1)[1]), args
    return Path.cwd(), args


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except urllib.error.HTTPError:
        return True  # an answer, if not a happy one
    except OSError:
        return False
    return True


def run(args: list[str], environ: dict[str, str] | None = None) -> int:
    env = dict(os.environ if environ is None else environ)
    directory, args = working_directory(args)
    url = endpoint_url(env)
    terraform = env.get("TERRAFORM") or shutil.which("terraform", path=env.get("PATH"))
    if not terraform:
        print("localaws terraform: terraform is not on PATH (or set TERRAFORM)", file=sys.stderr)
        return 2
    files = override_files(directory, url, env)
    for name in files:
        existing = directory / name
        if existing.exists() and MARK not in existing.read_text():
            print(f"localaws terraform: {existing} exists and is not localaws's; move it away first", file=sys.stderr)
            return 2
    if not answers(url):
        print(f"localaws terraform: nothing answers at {url}: start localaws, or set AWS_ENDPOINT_URL", file=sys.stderr)
    written = []
    try:
        for name, content in files.items():
            (directory / name).write_text(json.dumps(content, indent=2) + "\n")
            written.append(directory / name)
        process = subprocess.Popen([terraform, *args], env=env)
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:  # Terraform has the same Ctrl-C and stops gracefully: wait for it
                continue
    finally:
        for path in written:
            path.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip() + "\n\nusage: localaws terraform [-chdir=DIR] COMMAND [ARGS...]")
        return 0 if argv else 2
    return run(argv)
