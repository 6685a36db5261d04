"""The release (`make release`, devkit/release.py): its matrix generated from the layer's files, the digests the
module pins current (the drift check), and the same bytes from a fresh copy of the repository (reproducible)."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile

import pytest

from devkit import release

pytestmark = pytest.mark.xdist_group("release")  # the tests that use `rebuilt` share one build
REGENERATE = (
    "run `make pin` (the function ZIP in seconds, and only the layers whose inputs changed; `make release` builds "
    "everything into dist/), then commit release/artifacts.json"
)


def test_the_pins_name_every_file_of_the_matrix():
    pins = release.read_pins()
    pinned = sorted([*pins["artifacts"], *pins["unavailable"]])
    assert pinned == sorted(release.names()), f"the release matrix changed since the pins: {REGENERATE}"
    assert pins["version"] == release.version(), f"CHANGELOG.md names another version: {REGENERATE}"


def test_the_matrix_follows_the_layer_files():
    """Formats come from layer/requirements-<f>.txt and layer/exclude-<f>.txt (a decoder switched in the file flows
    through); every runtime the build knows, on both architectures, with every set of formats."""
    formats = release.formats()
    assert formats == ["avif", "heif", "pdf"], "video is never released: its layer is GPL (docs/previews.md)"
    layers = release.matrix()
    assert len(layers) == len(release.build_layer.RUNTIME_GLIBC) * 2 * 2 ** len(formats)
    heif = next(layer for layer in layers if layer.formats == ("heif",) and layer.runtime == "python3.13")
    assert [p.name for p in heif.requirements] == ["requirements.lock", "requirements-heif.lock"]
    assert [p.name for p in heif.exclude] == ["exclude.txt", "exclude-avif.txt"]
    pdf = next(layer for layer in layers if layer.formats == ("heif", "pdf") and layer.runtime == "python3.13")
    assert [p.name for p in pdf.requirements] == [
        "requirements.lock",
        "requirements-heif.lock",
        "requirements-pdf.lock",
    ]
    assert not any("av==" in p.read_text() for layer in layers for p in layer.requirements), "no FFmpeg released"
    old = next(layer for layer in layers if layer.runtime == "python3.11" and not layer.formats)
    assert old.requirements == [release.AMAZON_LINUX_2 / "requirements.lock"]


def test_the_layer_inputs_are_those_pinned():
    pinned = release.read_pins()["inputs"]
    changed = sorted(set(pinned.items()) ^ set(release.inputs().items()))
    assert not changed, f"{sorted({name for name, _ in changed})} changed since the pinned layer digests: {REGENERATE}"


def test_the_function_zip_is_the_one_pinned(tmp_path):
    built = tmp_path / release.FUNCTION
    release.build_function_zip(built)
    digest = hashlib.sha256(built.read_bytes()).hexdigest()
    pinned = release.read_pins()["artifacts"][release.FUNCTION]
    assert digest == pinned["sha256"], f"function/ changed since its pinned digest: {REGENERATE}"
    assert pinned["size"] == built.stat().st_size


def test_both_forms_of_each_digest_agree():
    for name, pin in release.read_pins()["artifacts"].items():
        assert base64.b64decode(pin["sha256_base64"]).hex() == pin["sha256"], name


def test_a_fresh_copy_rebuilds_the_pinned_bytes(rebuilt):
    """The function ZIP and one layer per architecture, built again elsewhere: byte for byte the pinned ones."""
    assert rebuilt.returncode == 0, rebuilt.output
    pins = release.read_pins()["artifacts"]
    sums = dict(reversed(line.split("  ")) for line in (rebuilt.dist / "SHA256SUMS").read_text().splitlines())
    assert sorted(sums) == sorted(rebuilt.files)
    for name in rebuilt.files:
        assert sums[name] == hashlib.sha256((rebuilt.dist / name).read_bytes()).hexdigest()
        assert sums[name] == pins[name]["sha256"], f"{name} is not the pinned bytes: {REGENERATE}"
    architectures = {pins[name]["architecture"] for name in rebuilt.files[1:]}
    assert architectures == {"x86_64", "arm64"}


def test_the_manifest_says_what_each_file_is(rebuilt):
    manifest = json.loads((rebuilt.dist / "manifest.json").read_text())
    assert "commit" in manifest and manifest["inputs"] == release.inputs()
    for artifact in manifest["artifacts"]:
        assert artifact["size"] == (rebuilt.dist / artifact["file"]).stat().st_size
        if artifact["kind"] == "layer":
            with zipfile.ZipFile(rebuilt.dist / artifact["file"]) as archive:
                pillow = [n for n in archive.namelist() if n.startswith("python/pillow-") and n.endswith("METADATA")]
            assert pillow == [f"python/pillow-{artifact['packages']['pillow']}.dist-info/METADATA"]
    notes = (rebuilt.dist / "RELEASE-NOTES.md").read_text()
    assert all(a["file"] in notes for a in manifest["artifacts"])


def test_publish_uploads_each_file_with_its_sha256(rebuilt, capsys):
    """`make publish` is one PutObject per file with S3's SHA-256 (which S3 checks on arrival)."""
    assert (
        release.main(
            ["publish", "--bucket", "releases", "--prefix", "thumbnails/1.0/", "--dist", str(rebuilt.dist), "--dry-run"]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    pins = release.read_pins()["artifacts"]
    assert lines[0] == (
        f"aws s3api put-object --bucket releases --key thumbnails/1.0/{release.FUNCTION} "
        f"--body {rebuilt.dist / release.FUNCTION} --checksum-algorithm SHA256 "
        f"--checksum-sha256 {pins[release.FUNCTION]['sha256_base64']}"
    )
    assert len(lines) == len(rebuilt.files)


def test_make_pin_rebuilds_only_the_layers_whose_inputs_changed():
    """`make pin` after a change to layer/requirements-heif.lock: the heif layers of the runtimes that use the
    default lock are stale, nothing else; after a change to function/ alone, no layer is."""
    pins = release.read_pins()
    current = {**pins, "inputs": release.inputs()}
    assert release.stale_layers(current) == []
    heif = {**current, "inputs": {**current["inputs"], "layer/requirements-heif.lock": "0" * 64}}
    stale = release.stale_layers(heif)
    assert stale and all("heif" in layer.formats for layer in stale)
    assert len(stale) == len([layer for layer in release.matrix() if "heif" in layer.formats])
    script = {**current, "inputs": {**current["inputs"], "modules/layer/build_layer.py": "0" * 64}}
    assert len(release.stale_layers(script)) == len(release.matrix()), "the build script makes every layer"
    new = {**current, "artifacts": {k: v for k, v in current["artifacts"].items() if "python3.14-arm64.zip" not in k}}
    assert [layer.name for layer in release.stale_layers(new)] == ["thumbnails-layer-python3.14-arm64.zip"]


def test_make_pin_pins_the_function_and_keeps_every_other_pin(tmp_path, monkeypatch):
    pins = release.read_pins()
    stale_function = {**pins, "inputs": release.inputs()}
    stale_function["artifacts"] = {
        **pins["artifacts"],
        release.FUNCTION: {**pins["artifacts"][release.FUNCTION], "sha256": "0" * 64, "size": 1},
    }
    path = tmp_path / "artifacts.json"
    path.write_text(json.dumps(stale_function))
    monkeypatch.setattr(release, "PINS", path)
    assert release.pin("https://pypi.org/simple", tmp_path / "dist") == 0
    written = json.loads(path.read_text())
    built = hashlib.sha256((tmp_path / "dist" / release.FUNCTION).read_bytes()).hexdigest()
    assert written["artifacts"][release.FUNCTION]["sha256"] == built
    assert {k: v for k, v in written["artifacts"].items() if k != release.FUNCTION} == {
        k: v for k, v in pins["artifacts"].items() if k != release.FUNCTION
    }
    assert written["unavailable"] == pins["unavailable"] and written["inputs"] == release.inputs()
    assert list(written["artifacts"]) == sorted(written["artifacts"])
