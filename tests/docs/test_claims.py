"""Every promise in the documentation names the test that keeps it true, and that test exists (devkit/claims.py)."""

from __future__ import annotations

from pathlib import Path

from devkit import claims


def test_every_proof_names_a_test_that_exists():
    problems = [p for reference in claims.references() if (p := claims.problem(reference)) is not None]
    assert not problems, "\n".join(problems)


def test_an_untestable_claim_says_why():
    for reference in claims.untestable():
        where = f"{reference.document.relative_to(claims.ROOT)}:{reference.line}"
        assert len(reference.ref.split()) >= 3, f"{where}: say in words why the claim cannot be tested"


def test_a_reference_to_a_missing_file_or_test_is_found(tmp_path: Path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_a.py").write_text(
        "import pytest\n"
        "def test_module(): pass\n"
        "class TestGroup:\n"
        "    def test_method(self): pass\n"
        "@pytest.mark.parametrize('x', [1])\n"
        "def test_many(x): pass\n"
        "def helper(): pass\n"
    )
    (tmp_path / "README.md").write_text(
        "It works. <!-- proof: tests/test_a.py::test_module -->\n"
        "<!-- proof: tests/test_a.py::TestGroup::test_method --><!-- proof: tests/test_a.py::test_many[1] -->\n"
        "<!-- proof: tests/test_a.py::test_gone -->\n"
        "<!-- proof: tests/test_a.py::test_method -->\n"
        "<!-- proof: tests/test_b.py::test_module -->\n"
        "<!-- proof: tests/test_a.py::helper -->\n"
        "<!-- proof: tests/test_a.py -->\n"
    )
    found = {r.ref: claims.problem(r, tmp_path) for r in claims.references(tmp_path)}
    assert found["tests/test_a.py::test_module"] is None
    assert found["tests/test_a.py::TestGroup::test_method"] is None
    assert found["tests/test_a.py::test_many[1]"] is None
    assert (
        "README.md:3" in found["tests/test_a.py::test_gone"]
        and "defines no test test_gone" in found["tests/test_a.py::test_gone"]
    )
    assert "defines no test test_method" in found["tests/test_a.py::test_method"]  # a method needs its class
    assert "tests/test_b.py does not exist" in found["tests/test_b.py::test_module"]
    assert "defines no test helper" in found["tests/test_a.py::helper"]
    assert "names no test" in found["tests/test_a.py"]
