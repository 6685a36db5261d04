"""The Lambda runtime stand-in: runs in a fresh interpreter (``python -S -E``), imports the handler, calls it.

argv: task_dir opt_dir runtime_dir result_path. The event arrives on stdin; the result (payload or Lambda's error
shape) is written as JSON to result_path, with the process's peak resident memory (REPORT's "Max Memory Used");
whatever the function prints goes to its log.
Standard library only: the function's own imports must come from its ZIP, its layers or the runtime's boto3.
"""

import importlib
import json
import os
import sys
import time
import traceback


class LambdaContext:
    def __init__(self, deadline_ms: int) -> None:
        env = os.environ
        self.aws_request_id = env["_LOCALAWS_REQUEST_ID"]
        self.function_name = env["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = env["AWS_LAMBDA_FUNCTION_VERSION"]
        self.invoked_function_arn = env["_LOCALAWS_FUNCTION_ARN"]
        self.memory_limit_in_mb = env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.log_group_name = env["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = env["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self._deadline_ms - time.time() * 1000))


def peak_memory_kb() -> int:
    """This process's peak resident memory since it started (VmHWM). Not getrusage's ru_maxrss: Linux keeps that
    across exec, so it would report the localaws process this one was forked from."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> int:
    task_dir, opt_dir, runtime_dir, result_path = sys.argv[1:5]
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    # Lambda's order: the function's code, then its layers, then the runtime's own packages.
    sys.path[:1] = [
        task_dir,
        os.path.join(opt_dir, "python", "lib", version, "site-packages"),
        os.path.join(opt_dir, "python"),
        runtime_dir,
    ]
    os.chdir(task_dir)
    event = json.loads(sys.stdin.buffer.read() or b"{}")
    context = LambdaContext(int(os.environ["_LOCALAWS_DEADLINE_MS"]))
    try:
        module_name, function_name = os.environ["_HANDLER"].rsplit(".", 1)
        handler = getattr(importlib.import_module(module_name.replace("/", ".")), function_name)
        result = {"payload": handler(event, context)}
    except Exception as exc:  # reported the way Lambda reports it
        tb = traceback.extract_tb(exc.__traceback__)
        result = {
            "error": {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "requestId": context.aws_request_id,
                "stackTrace": traceback.format_list(tb),
            }
        }
        print(f"[ERROR] {type(exc).__name__}: {exc}", file=sys.stderr)
        traceback.print_exc()
    sys.stdout.flush()
    sys.stderr.flush()
    result["max_memory_kb"] = peak_memory_kb()
    try:
        text = json.dumps(result)
    except (TypeError, ValueError) as exc:
        text = json.dumps(
            {
                "error": {
                    "errorMessage": f"Unable to marshal response: {exc}",
                    "errorType": "Runtime.MarshalError",
                    "stackTrace": [],
                },
                "max_memory_kb": result["max_memory_kb"],
            }
        )
    with open(result_path, "w", encoding="utf-8") as out:
        out.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
