#!/usr/bin/env python3
"""Package the function's sources into a ZIP that is byte-identical for the same sources on any machine.

Run by the module's ``terraform_data`` through ``local-exec``:

  FUNCTION_SOURCE_DIR  the directory the files are relative to
  FUNCTION_FILES       JSON list of the files to package: Terraform chose them (and hashed them at plan time),
                       so the plan's source_code_hash and this ZIP always describe the same files
  argument 1           the ZIP to write (written atomically)

Sorted entries, fixed timestamps, fixed permissions. Standard library only.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path

FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def write_zip(source_dir: Path, files: list[str], output: Path) -> int:
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=".function-", suffix=".zip")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for name in sorted(set(files)):
                info = zipfile.ZipInfo(name, FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o100644 << 16
                archive.writestr(info, (source_dir / name).read_bytes())
        os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return output.stat().st_size


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: build_function.py OUTPUT.zip (FUNCTION_SOURCE_DIR, FUNCTION_FILES set)", file=sys.stderr)
        return 2
    source_dir = Path(os.environ["FUNCTION_SOURCE_DIR"])
    files = json.loads(os.environ["FUNCTION_FILES"])
    if not files:
        print(f"function build failed: no source files in {source_dir}", file=sys.stderr)
        return 1
    size = write_zip(source_dir, files, Path(argv[1]))
    print(f"function built: {argv[1]} ({size} bytes, {len(files)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
