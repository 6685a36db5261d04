"""What a function runs (localaws/artifacts.py): hot reload from a local directory, a development aid."""

from __future__ import annotations

import pytest

from localaws import serve

from .test_runtime import invoke

VERSION = "STATE = []\ndef handler(e, c):\n    STATE.append(1)\n    return [{version!r}, len(STATE)]\n"


def test_hot_reload_runs_a_local_directory_and_an_edit_takes_effect_on_the_next_invocation(client, deploy, aws, shared):
    source = shared / "function"
    source.mkdir()
    (source / "index.py").write_text(VERSION.format(version="v1"))
    deploy("hot", "def handler(e, c):\n    return 'from the zip'\n")
    assert invoke(client, "hot", {})[1] == "from the zip"
    aws.runtime.artifacts.hot_reload["ho*"] = source  # a name or a pattern
    try:
        assert invoke(client, "hot", {})[1] == ["v1", 1], "the directory, not the ZIP"
        assert invoke(client, "hot", {})[1] == ["v1", 2], "unchanged: the environment stays warm"
        (source / "index.py").write_text(VERSION.format(version="v2-edited"))
        assert invoke(client, "hot", {})[1] == ["v2-edited", 1], "edited: a fresh environment runs the edit"
        (source / "helper.py").write_text("X = 1\n")
        assert invoke(client, "hot", {})[1] == ["v2-edited", 1], "a new file counts as an edit too"
    finally:
        del aws.runtime.artifacts.hot_reload["ho*"]
    assert invoke(client, "hot", {})[1] == "from the zip"


def test_the_command_line_takes_function_equals_directory(tmp_path, capsys):
    assert serve.parse(["--hot-reload", f"thumbnails={tmp_path}"]).hot_reload == {"thumbnails": tmp_path}
    with pytest.raises(SystemExit):
        serve.parse(["--hot-reload", f"thumbnails={tmp_path / 'missing'}"])
    assert "--hot-reload wants FUNCTION=DIR with an existing directory" in capsys.readouterr().err
