"""The real thumbnails function on an in-process localaws, without Terraform or a layer build: its code directory is
``function/`` and the layer's packages as this virtualenv installed them (links, so nothing is copied), run through
localaws's hot reload. For the soak and the command's tests, where an applied stack would cost minutes.

    task = code_dir(tmp)                                   # app.py, thumbnailer/, PIL, blurhash, pymysql
    with LocalAWS(port=0, hot_reload={"thumbs-*": task}) as aws:
        arn = deploy(lam, iam, "thumbs-1", source="src", destination="dst")
"""

from __future__ import annotations

import importlib.util
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from localaws.runtime import LOCAL_RUNTIME

ROOT = Path(__file__).resolve().parents[1]
FUNCTION = ROOT / "function"
PACKAGES = ("PIL", "pillow.libs", "blurhash", "pymysql")  # layer/requirements.txt's, as installed here


def code_dir(target: Path) -> Path:
    """``target`` made the function's code directory: links to function/'s sources and the layer's packages."""
    target.mkdir(parents=True, exist_ok=True)
    for source in (FUNCTION / "app.py", FUNCTION / "thumbnailer"):
        (target / source.name).symlink_to(source)
    site = Path(importlib.util.find_spec("PIL").origin).parents[1]  # type: ignore[arg-type, union-attr]
    for name in PACKAGES:
        if (site / name).exists():
            (target / name).symlink_to(site / name)
    return target


def placeholder_zip() -> bytes:
    """The ZIP CreateFunction needs; hot reload runs code_dir instead."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    raise RuntimeError('not hot-reloaded')\n")
    return buffer.getvalue()


EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def deploy(
    lam: Any,
    iam: Any,
    name: str,
    *,
    source: str,
    destination: str,
    environment: dict[str, str] | None = None,
    timeout: int = 60,
    memory: int = 1024,
    **more: Any,
) -> str:
    """Create ``name`` running the function (handler app.handler) with the module's environment for these buckets;
    its role may do everything (tests/localaws/test_enforce.py proves the limits). Returns its ARN."""
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="everything", PolicyDocument=json.dumps(EVERYTHING))
    variables = {
        "SOURCE_BUCKET": source,
        "SOURCE_PREFIX": "",
        "SOURCE_SUFFIXES": "",
        "DESTINATION_BUCKET": destination,
        "DESTINATION_PREFIX": "thumbnails/",
        "THUMBNAIL_SIZES": "64",
        **(environment or {}),
    }
    return str(
        lam.create_function(
            FunctionName=name,
            Runtime=LOCAL_RUNTIME,
            Role=role["Arn"],
            Handler="app.handler",
            Timeout=timeout,
            MemorySize=memory,
            Code={"ZipFile": placeholder_zip()},
            Environment={"Variables": variables},
            **more,
        )["FunctionArn"]
    )
