"""Measured figures in the documentation: every number that describes this project's behaviour (a size, a timing,
a rate, a count) is written into README.md and docs/*.md by the command that measures it, never typed by hand.

In a document a figure is its text between two markers:

    The layer is <!-- figure:layer_zip_bytes -->3.19 MB<!-- /figure --> zipped.

and `docs/figures.json` records, for each name, the value, its unit, the text written, the command that measured
it, when, and for a timing the machine it ran on (CPU, cores, Python). A measuring command calls `record()`: the
record is updated and every marker of that name is rewritten. `tests/docs/test_figures.py` fails when a document's
text differs from the record, or names a figure with no record (the same drift check as the inputs tables of
`devkit/docs.py`). A timing's value is not compared with a new measurement (it varies between machines), only its
presence, its machine and its text; a deterministic figure (a ZIP's size, a count) is compared by the test that
measures it, through `check()`.

    python -m devkit.figures           # rewrite every marker from docs/figures.json
    python -m devkit.figures --check   # exit 1 naming what drifted
"""

from __future__ import annotations

import datetime
import fcntl
import json
import os
import platform
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "docs" / "figures.json"
MARKER = re.compile(r"<!-- figure:(?P<name>[a-z0-9_.-]+) -->(?P<text>.*?)<!-- /figure -->", re.S)
OPENING = re.compile(r"<!-- figure:([^ ]*) -->")
# Set by a measuring command run by hand (`RECORD_FIGURES=1 .venv/bin/python -m pytest tests/...`): `check()` then
# records what it measured instead of comparing it.
RECORDING = "RECORD_FIGURES"


@dataclass(frozen=True)
class Figure:
    value: float | int | str
    unit: str
    text: str  # what stands between the markers
    command: str  # what measured it, to run again
    measured: str  # when (UTC, ISO 8601)
    machine: dict[str, Any] | None  # a timing's: cpu, cores, python, load; None for a figure no machine changes


def documents(root: Path | None = None) -> list[Path]:
    """The tracked files figures are written into."""
    root = root or ROOT
    found = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    for folder in ("modules", "examples"):
        found += sorted((root / folder).glob("*/README.md"))
    return [path for path in found if path.is_file()]


def machine() -> dict[str, Any]:
    """What a timing was measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    # the load average over the last minute: on a shared machine it says how busy the run's neighbours were
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()[0]}


def load(path: Path | None = None) -> dict[str, Figure]:
    path = path or RECORD
    text = path.read_text() if path.is_file() else ""
    return {name: Figure(**entry) for name, entry in json.loads(text or "{}").items()}


def _dump(figures: dict[str, Figure], path: Path) -> None:
    text = json.dumps({name: asdict(figures[name]) for name in sorted(figures)}, indent=2, ensure_ascii=False)
    path.write_text(text + "\n")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Measuring tests may run in parallel (pytest-xdist): one read-modify-write of the record at a time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:  # the record itself: no lock file left behind
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


CODE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$|(`+)(?!`).+?(?<!`)\2(?!`)", re.S | re.M)


def prose(text: str) -> str:
    """The text with its code (fenced blocks and `spans`) blanked out, newlines and offsets kept: a marker shown as
    an example in code is not a marker."""
    return CODE.sub(lambda match: re.sub(r"[^\n]", " ", match[0]), text)


def markers(text: str) -> list[re.Match[str]]:
    """The figure markers of a document, outside its code."""
    return list(MARKER.finditer(prose(text)))


def render(text: str, figures: dict[str, Figure]) -> str:
    """The document with every marker's text taken from the record (a marker without a record is left as it is)."""
    pieces, end = [], 0
    for match in markers(text):
        figure = figures.get(match["name"])
        if figure is not None:
            pieces += [text[end : match.start()], f"<!-- figure:{match['name']} -->{figure.text}<!-- /figure -->"]
            end = match.end()
    return "".join(pieces) + text[end:]


def names(text: str) -> list[str]:
    return [match["name"] for match in markers(text)]


def write(root: Path | None = None, record: Path | None = None) -> list[Path]:
    """Rewrite every document's markers from the record; returns the documents changed."""
    figures = load(record)
    changed = []
    for document in documents(root):
        current = document.read_text()
        wanted = render(current, figures)
        if wanted != current:
            document.write_text(wanted)
            changed.append(document)
    return changed


def record(
    name: str,
    value: float | int | str,
    unit: str,
    text: str,
    command: str,
    *,
    timing: bool = False,
    root: Path | None = None,
    path: Path | None = None,
) -> Figure:
    """Record one measurement and rewrite the documents that show it. `text` is what the documents show (the value
    rounded and with its unit, as a reader wants it); `timing` adds the machine it was measured on."""
    figure = Figure(
        value=value,
        unit=unit,
        text=text,
        command=command,
        measured=datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat(),
        machine=machine() if timing else None,
    )
    path = path or RECORD
    with _locked(path):
        figures = load(path)
        previous = figures.get(name)
        same = previous is not None and (previous.value, previous.unit, previous.text, previous.command) == (
            value,
            unit,
            text,
            command,
        )
        if same and previous is not None and not timing:
            return previous  # the same measurement again: the record keeps the date it was first made
        figures[name] = figure
        _dump(figures, path)
        write(root, path)
    return figure


def check(name: str, value: float | int | str, unit: str, text: str, command: str) -> None:
    """For a test that measures a deterministic figure: fail when the record differs from what was just measured,
    saying how to record it again; with RECORD_FIGURES=1 in the environment, record it instead."""
    if os.environ.get(RECORDING) == "1":
        record(name, value, unit, text, command)
        return
    figure = load().get(name)
    assert figure is not None, f"figure {name} is not recorded: run `RECORD_FIGURES=1 {command}`"
    assert (figure.value, figure.unit, figure.text) == (value, unit, text), (
        f"figure {name} is recorded as {figure.value!r} {figure.unit} ({figure.text!r}) but measures "
        f"{value!r} {unit} ({text!r}): run `RECORD_FIGURES=1 {command}` and commit docs/ with it"
    )


def timed(name: str, value: float, unit: str, text: str, command: str) -> None:
    """For a test that measures a timing as it runs: recorded, with the machine, only when RECORD_FIGURES=1 (a
    timing varies from run to run; the documents show the last recorded one, never compared with this one)."""
    if os.environ.get(RECORDING) == "1":
        record(name, value, unit, text, command, timing=True)


def drift(root: Path | None = None, record_path: Path | None = None) -> list[str]:
    """Everything that makes the documents disagree with the record, one sentence each."""
    root = root or ROOT
    figures = load(record_path)
    problems = []
    for document in documents(root):
        text = document.read_text()
        where = document.relative_to(root)
        if len(OPENING.findall(prose(text))) != len(markers(text)):
            problems.append(f"{where}: a `<!-- figure:NAME -->` marker without its `<!-- /figure -->`")
        for match in markers(text):
            figure = figures.get(match["name"])
            if figure is None:
                problems.append(
                    f"{where}: figure {match['name']} has no record in docs/figures.json: write it with the command "
                    "that measures it (devkit/figures.py's record())"
                )
            elif match["text"] != figure.text:
                problems.append(
                    f"{where}: figure {match['name']} reads {match['text']!r}, the record {figure.text!r} "
                    f"(measured by `{figure.command}` on {figure.measured}): run `python -m devkit.figures`"
                )
    for name, figure in figures.items():
        if not figure.command or not figure.measured:
            problems.append(f"docs/figures.json: figure {name} does not say which command measured it, or when")
        if figure.unit in TIME_UNITS and not figure.machine:
            problems.append(f"docs/figures.json: timing {name} has no machine: run `{figure.command}` again")
    return problems


TIME_UNITS = frozenset({"ms", "s", "uploads/s"})


def main(argv: list[str]) -> int:
    if "--check" in argv:
        problems = drift()
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    for document in write():
        print(f"rewrote {document.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
