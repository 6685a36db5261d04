"""An execution environment's first program: Lambda's import path, then AWS's runtime interface client.

Run as ``python -S -E -u bootstrap.py task_dir opt_dir runtime_dir handler`` (no site packages, no PYTHON*
variables): the import path becomes Lambda's -- the function's code, its layers, then the runtime's own packages
(awslambdaric, boto3) -- and awslambdaric takes over, as in Lambda's own Python images: it imports the handler
(a failure goes to ``/runtime/init/error``), then serves invocation after invocation from the Runtime API in
``AWS_LAMBDA_RUNTIME_API`` (localaws/runtimeapi.py) until the environment is retired.
"""

import os
import sys


def main() -> None:
    task_dir, opt_dir, runtime_dir, handler = sys.argv[1:5]
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    sys.path[:1] = [
        task_dir,
        os.path.join(opt_dir, "python", "lib", version, "site-packages"),
        os.path.join(opt_dir, "python"),
        runtime_dir,
    ]
    os.chdir(task_dir)
    from awslambdaric.__main__ import main as run

    run(["awslambdaric", handler])


if __name__ == "__main__":
    main()
