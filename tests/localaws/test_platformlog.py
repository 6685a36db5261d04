"""A function's logging configuration (localaws/platformlog.py): Text or JSON, application and system log levels
and a custom log group behave as on Lambda."""

from __future__ import annotations

import json

from .test_runtime import invoke, log_messages

LOGS = """
import logging
logger = logging.getLogger("app")
def handler(event, context):
    logger.debug("hidden detail")
    logger.info("an info line")
    logger.warning("a warning", extra={"key": "a b.jpg"})
    print("printed as it is")
    return "ok"
"""


def test_json_format_with_levels_in_a_custom_log_group(client, deploy):
    lam = client("lambda")
    client("logs").create_log_group(logGroupName="/shared/thumbnails")
    config = {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "WARN",
        "SystemLogLevel": "INFO",
        "LogGroup": "/shared/thumbnails",
    }
    deploy("json-logs", LOGS, LoggingConfig=config)
    assert lam.get_function_configuration(FunctionName="json-logs")["LoggingConfig"] == config
    assert invoke(client, "json-logs", {})[1] == "ok"
    lines = log_messages(client, "json-logs", group="/shared/thumbnails")
    records = [json.loads(line) for line in lines if line.startswith("{")]
    platform = [r for r in records if r.get("type", "").startswith("platform.")]
    assert [r["type"] for r in platform] == ["platform.initStart", "platform.start", "platform.report"]
    report = platform[-1]["record"]
    assert report["status"] == "success" and report["requestId"] == platform[1]["record"]["requestId"]
    metrics = {"durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB", "initDurationMs"}
    assert metrics <= set(report["metrics"])
    application = [r for r in records if "level" in r]
    assert [(r["level"], r["message"], r["logger"]) for r in application] == [("WARNING", "a warning", "app")]
    assert application[0]["key"] == "a b.jpg" and application[0]["requestId"] == platform[1]["record"]["requestId"]
    assert "printed as it is" in lines, "print output is passed through"
    invoke(client, "json-logs", {})
    second = [json.loads(line) for line in log_messages(client, "json-logs", group="/shared/thumbnails") if "{" in line]
    assert "initDurationMs" not in second[-1]["record"]["metrics"], "warm: no init"


def test_a_system_log_level_above_info_leaves_out_the_platform_lines(client, deploy):
    deploy("quiet-platform", LOGS, LoggingConfig={"LogFormat": "JSON", "SystemLogLevel": "WARN"})
    invoke(client, "quiet-platform", {})
    lines = log_messages(client, "quiet-platform")
    assert not any('"platform.' in line for line in lines), lines
    levels = [json.loads(line)["level"] for line in lines if line.startswith("{")]
    assert levels == ["INFO", "WARNING"], "the application's default level is INFO"


def test_text_format_is_lambdas_plain_text_and_an_update_switches_it(client, deploy):
    lam = client("lambda")
    deploy("text-logs", LOGS)
    assert lam.get_function_configuration(FunctionName="text-logs")["LoggingConfig"] == {
        "LogFormat": "Text",
        "LogGroup": "/aws/lambda/text-logs",
    }
    invoke(client, "text-logs", {})
    warning = next(line for line in log_messages(client, "text-logs") if "a warning" in line)
    level, stamp, request_id, message = warning.split("\t")
    assert (level, message) == ("[WARNING]", "a warning") and stamp.endswith("Z") and len(request_id) == 36
    lam.update_function_configuration(FunctionName="text-logs", LoggingConfig={"LogFormat": "JSON"})
    invoke(client, "text-logs", {})
    assert json.loads(log_messages(client, "text-logs")[-1])["type"] == "platform.report", "a new environment, JSON"
