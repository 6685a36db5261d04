"""Figures in the documentation are the last measurement's, never typed by hand (devkit/figures.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devkit import figures


def test_every_figure_in_the_documents_is_the_recorded_measurement():
    problems = figures.drift()
    assert not problems, "\n".join(problems)


def test_every_recorded_figure_is_shown_somewhere():
    shown = {name for document in figures.documents() for name in figures.names(document.read_text())}
    unused = sorted(set(figures.load()) - shown)
    assert not unused, f"docs/figures.json records figures no document shows: {unused}; remove them or show them"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("The ZIP is <!-- figure:zip -->40 KB<!-- /figure --> here.\n")
    (tmp_path / "docs" / "a.md").write_text("Cold: <!-- figure:cold -->190 ms<!-- /figure -->.\n")
    return tmp_path


def test_record_writes_the_figure_into_every_document_and_the_machine_of_a_timing(project: Path):
    record = project / "docs" / "figures.json"
    figures.record("zip", 43878, "bytes", "43.9 KB", "make bench", root=project, path=record)
    figures.record("cold", 191, "ms", "191 ms", "make bench", timing=True, root=project, path=record)

    assert "<!-- figure:zip -->43.9 KB<!-- /figure -->" in (project / "README.md").read_text()
    assert "<!-- figure:cold -->191 ms<!-- /figure -->" in (project / "docs" / "a.md").read_text()
    saved = json.loads(record.read_text())
    assert saved["zip"]["value"] == 43878 and saved["zip"]["command"] == "make bench"
    assert saved["zip"]["machine"] is None
    assert set(saved["cold"]["machine"]) == {"cpu", "cores", "python", "load"}
    assert figures.drift(project, record) == []


def test_a_figure_edited_by_hand_or_without_a_record_is_drift(project: Path):
    record = project / "docs" / "figures.json"
    figures.record("zip", 43878, "bytes", "43.9 KB", "make bench", root=project, path=record)
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("43.9 KB", "42 KB"))

    problems = figures.drift(project, record)
    assert any("figure zip reads '42 KB', the record '43.9 KB'" in p and "devkit.figures" in p for p in problems)
    assert any("docs/a.md: figure cold has no record" in p for p in problems)

    figures.write(project, record)
    assert "43.9 KB" in readme.read_text()


def test_a_timing_without_its_machine_and_an_unclosed_marker_are_drift(project: Path):
    record = project / "docs" / "figures.json"
    figures.record("cold", 191, "ms", "191 ms", "make bench", root=project, path=record)  # timing=False: no machine
    (project / "docs" / "b.md").write_text("<!-- figure:cold -->191 ms\n")
    problems = figures.drift(project, record)
    assert any("timing cold has no machine" in p for p in problems)
    assert any("docs/b.md: a `<!-- figure:NAME -->` marker without" in p for p in problems)


def test_check_fails_with_the_command_to_record_again(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    record = tmp_path / "figures.json"
    monkeypatch.setattr(figures, "RECORD", record)
    monkeypatch.setattr(figures, "ROOT", tmp_path)
    monkeypatch.delenv(figures.RECORDING, raising=False)
    with pytest.raises(AssertionError, match=r"figure n is not recorded: run `RECORD_FIGURES=1 pytest t.py`"):
        figures.check("n", 3, "files", "3", "pytest t.py")

    monkeypatch.setenv(figures.RECORDING, "1")
    figures.check("n", 3, "files", "3", "pytest t.py")
    monkeypatch.delenv(figures.RECORDING)
    figures.check("n", 3, "files", "3", "pytest t.py")
    with pytest.raises(AssertionError, match=r"recorded as 3 files \('3'\) but measures 4 files"):
        figures.check("n", 4, "files", "4", "pytest t.py")


def test_a_marker_shown_in_code_is_not_a_figure():
    text = (
        "Write `<!-- figure:a -->1<!-- /figure -->` like this, or:\n\n```md\n<!-- figure:b -->2<!-- /figure -->\n```\n"
        "but <!-- figure:c -->3<!-- /figure --> is one.\n"
    )
    assert figures.names(text) == ["c"]
    rendered = figures.render(text, {"a": FIGURE, "b": FIGURE, "c": FIGURE})
    assert rendered == text.replace("-->3<", "-->9<")


FIGURE = figures.Figure(value=9, unit="files", text="9", command="c", measured="2026-01-01", machine=None)
