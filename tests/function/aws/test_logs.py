"""The function's log lines (thumbnailer/aws/logs.py): its own JSON lines, or the Lambda runtime's JSON records."""

from __future__ import annotations

import io
import json
import logging

import pytest
from awslambdaric.lambda_runtime_log_utils import JsonFormatter

from thumbnailer.aws import logs


@pytest.fixture
def fresh(monkeypatch):
    logs._writes_itself.cache_clear()
    yield monkeypatch
    logs._writes_itself.cache_clear()


def test_without_lambdas_json_format_it_writes_one_json_line_at_info_and_above(fresh, capsys):
    fresh.delenv("AWS_LAMBDA_LOG_FORMAT", raising=False)
    logs.log(logging.DEBUG, "client made", service="s3")
    logs.log(logging.WARNING, "record failed", key="a b.jpg")
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in lines] == [{"level": "WARNING", "message": "record failed", "key": "a b.jpg"}]


def test_under_lambdas_json_format_the_runtime_writes_the_record_with_its_fields_and_level(fresh):
    fresh.setenv("AWS_LAMBDA_LOG_FORMAT", "JSON")
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())  # what awslambdaric installs on the root logger
    handler.terminator = ""  # its lines end in a newline of their own
    root = logging.getLogger()
    level, root.level = root.level, logging.INFO  # AWS_LAMBDA_LOG_LEVEL=INFO
    root.addHandler(handler)
    try:
        logs.log(logging.DEBUG, "client made", service="s3")
        logs.log(logging.ERROR, "record failed", key="a b.jpg", outcome="failed", name="a field, not the logger's")
    finally:
        root.removeHandler(handler)
        root.level = level
        logging.getLogger("thumbnails").propagate = False
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == 1, "below the application log level: dropped by the runtime's level"
    assert records[0]["level"] == "ERROR" and records[0]["message"] == "record failed"
    assert (records[0]["logger"], records[0]["key"], records[0]["outcome"]) == ("thumbnails", "a b.jpg", "failed")
    assert records[0]["name_"] == "a field, not the logger's", "a field named like a LogRecord attribute is kept"


def test_each_line_names_the_release_deployed(fresh, capsys):
    """The module sets RELEASE_VERSION: an operator reads from any record line what is deployed."""
    fresh.delenv("AWS_LAMBDA_LOG_FORMAT", raising=False)
    fresh.setenv("RELEASE_VERSION", "0.2.0")
    logs.log(logging.INFO, "thumbnails written", key="a.jpg")
    fresh.setenv("RELEASE_VERSION", "")
    logs.log(logging.INFO, "thumbnails written", key="b.jpg")
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first == {"level": "INFO", "release": "0.2.0", "message": "thumbnails written", "key": "a.jpg"}
    assert "release" not in second, "outside a deployment: no field"
