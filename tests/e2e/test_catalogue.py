"""The image catalogue on localaws: the complete example applied with database pointing at a secret on the local
endpoint whose value names the private MariaDB server; an upload becomes rows, a deletion takes them away, and the
password is nowhere but in the secret."""

from __future__ import annotations

import json
from pathlib import Path

import pymysql
import pytest

from devkit.endpoint import wait_for

from .test_adoption import applied
from .test_pipeline import gone, photo, thumbnail

pytestmark = pytest.mark.e2e

NAMES = {"name_prefix": "catalogued", "function_name": "thumbs-catalogued"}


def test_uploads_become_rows_and_deletions_take_them_away(endpoint, client, database, tmp_path):
    secret = client("secretsmanager").create_secret(Name="thumbs-catalogued-db", SecretString=database.secret())
    tf_vars = {**NAMES, "database_secret_arn": secret["ARN"]}
    try:
        with applied(endpoint, {tmp_path: ("complete", tf_vars)}) as (tf,):
            bucket, key = "catalogued-uploads", "uploads/a cat + a dog.jpg"
            client("s3").put_object(Bucket=bucket, Key=key, Body=photo(1600, 1200))
            assert thumbnail(client, "catalogued-thumbnails", f"thumbnails/1024/{key}").size == (1024, 768)

            def rows() -> list[tuple]:
                try:
                    return database.query(
                        "SELECT size, width, height, thumbnail_key FROM thumbnails ORDER BY width DESC"
                    )
                except pymysql.err.ProgrammingError:  # the function has not made the table yet
                    return []

            wait_for(lambda: len(rows()) == 3, 60, "a row for each of the three sizes")
            assert rows() == [
                ("1024", 1024, 768, f"thumbnails/1024/{key}"),
                ("256", 256, 192, f"thumbnails/256/{key}"),
                ("128x128", 128, 128, f"thumbnails/128x128/{key}"),
            ]

            # The password is in the secret and nowhere else: not the function's environment, the plan, the state
            # or the logs.
            function = client("lambda").get_function_configuration(FunctionName=NAMES["function_name"])
            assert function["Environment"]["Variables"]["DATABASE_SECRET_ARN"] == secret["ARN"]
            state = (Path(tf.tfdir) / "terraform.tfstate").read_text()
            plan = json.dumps(tf.plan(output=True, tf_vars=tf_vars)._raw)  # tftest keeps the plan's JSON there
            logs = client("logs").filter_log_events(logGroupName=f"/aws/lambda/{NAMES['function_name']}")["events"]
            assert logs, "the function logged"
            for where, text in {
                "environment": json.dumps(function),
                "state": state,
                "plan": plan,
                "logs": json.dumps(logs),
            }.items():
                assert secret["ARN"] in text or where == "logs"
                assert database.password not in text, f"the password is in the {where}"

            client("s3").delete_object(Bucket=bucket, Key=key)
            wait_for(lambda: rows() == [], 60, "the rows to go with the picture")
            assert gone(client, "catalogued-thumbnails", f"thumbnails/1024/{key}")
    finally:
        client("secretsmanager").delete_secret(SecretId=secret["ARN"], ForceDeleteWithoutRecovery=True)
