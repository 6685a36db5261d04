"""Every repository path named in a document, a comment or a docstring exists (devkit/paths.py)."""

from __future__ import annotations

from pathlib import Path

from devkit import paths


def test_every_path_named_in_prose_exists():
    found = paths.mentions()
    assert len(found) > 150, "the documents and comments name many paths: the search finds them"
    gone = [
        f"{m.where.relative_to(paths.ROOT)}:{m.line}: {m.path}" for m in found if not (paths.ROOT / m.path).exists()
    ]
    assert not gone, "these name a path that does not exist (renamed? say the new name):\n" + "\n".join(gone)


def test_a_path_in_a_document_a_comment_or_a_docstring_is_checked(tmp_path: Path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "function").mkdir()
    (tmp_path / "function" / "app.py").write_text(
        '"""Reads function/gone.py."""\n# see tests/e2e/missing.py and function/app.py\nX = \'function/not-prose.py\'\n'
    )
    (tmp_path / "README.md").write_text(
        "Edit `function/app.py` or function/old.py; not https://example.com/function/x.py nor layer/*.txt.\n"
    )
    (tmp_path / "main.tf").write_text('# modules/renamed/main.tf\nlocals { a = "modules/not-a-comment" }\n')
    found = sorted((m.where.name, m.line, m.path) for m in paths.missing(tmp_path))
    assert found == [
        ("README.md", 1, "function/old.py"),
        ("app.py", 1, "function/gone.py"),
        ("app.py", 2, "tests/e2e/missing.py"),
        ("main.tf", 1, "modules/renamed/main.tf"),
    ]
