"""The inputs and outputs tables of README.md and of each submodule's README, generated from variables.tf and
outputs.tf (parsed with python-hcl2, never with regular expressions).

    python -m devkit.docs           # rewrite the tables (make docs)
    python -m devkit.docs --check   # exit 1 naming the READMEs that drifted (tests/module/test_docs.py)

A README gets its tables between the BEGIN and END markers below; one without them gets them appended.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from devkit.hcl import blocks

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- BEGIN GENERATED INPUTS AND OUTPUTS: regenerate with `make docs` -->"
END = "<!-- END GENERATED INPUTS AND OUTPUTS -->"


def modules() -> list[Path]:
    return [ROOT, *(p for p in sorted((ROOT / "modules").iterdir()) if (p / "variables.tf").is_file())]


def _unquote(value: Any) -> Any:
    """python-hcl2 keeps HCL's quotes around strings; take them off, in lists and maps too."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            return json.loads(value)
        except ValueError:
            return value[1:-1]
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items()}
    return value


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _type(expression: Any) -> str:
    text = str(expression)
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    return f"`{_cell(text)}`"


def _default(body: dict[str, Any]) -> str:
    if "default" not in body:
        return "n/a"
    value = _unquote(body["default"])
    return f"`{_cell(json.dumps(value, ensure_ascii=False))}`" if value is not None else "`null`"


def tables(module: Path) -> str:
    """The inputs (a Required column, as terraform-docs writes it: yes where the variable has no default) and
    outputs of ``module``."""
    lines = ["### Inputs", "", "| name | description | type | default | required |", "|---|---|---|---|:---:|"]
    for name, body in blocks(module / "variables.tf", "variable"):
        lines.append(
            f"| `{name}` | {_cell(_unquote(body.get('description', '')))} | {_type(body.get('type'))} | "
            f"{_default(body)} | {'no' if 'default' in body else 'yes'} |"
        )
    lines += ["", "### Outputs", "", "| name | description |", "|---|---|"]
    for name, body in blocks(module / "outputs.tf", "output"):
        lines.append(f"| `{name}` | {_cell(_unquote(body.get('description', '')))} |")
    return "\n".join(lines)


def render(readme: str, module: Path) -> str:
    generated = f"{BEGIN}\n\n{tables(module)}\n\n{END}"
    if BEGIN in readme and END in readme:
        return re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: generated, readme, flags=re.S)
    return readme.rstrip("\n") + f"\n\n## Inputs and outputs\n\n{generated}\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    drifted = []
    for module in modules():
        readme = module / "README.md"
        current = readme.read_text()
        wanted = render(current, module)
        if wanted != current:
            drifted.append(str(readme.relative_to(ROOT)))
            if not check:
                readme.write_text(wanted)
    if check and drifted:
        print(f"out of date: {', '.join(drifted)}; run `make docs`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
