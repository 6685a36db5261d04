"""The READMEs' inputs and outputs tables are generated from the Terraform files and cannot drift."""

from __future__ import annotations

import pytest

from devkit import docs


@pytest.mark.parametrize("module", docs.modules(), ids=lambda p: p.name)
def test_readme_tables_match_the_terraform(module):
    readme = (module / "README.md").read_text()
    assert docs.BEGIN in readme, f"{module}/README.md has no generated tables: run `make docs`"
    assert docs.render(readme, module) == readme, f"{module}/README.md tables are out of date: run `make docs`"


def test_a_table_row_per_variable_and_output():
    text = docs.tables(docs.ROOT)
    assert "| `trigger` |" in text and '`"s3"`' in text, "name, description, type and default of each input"
    (source,) = [line for line in text.splitlines() if line.startswith("| `source_bucket` |")]
    assert source.endswith("| n/a | yes |"), "a required input says so in the Required column"
    assert "| name | description | type | default | required |" in text
    assert "| `function_arn` | ARN of the function. |" in text
