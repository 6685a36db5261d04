"""modules/layer: the runtime -> wheel platform mapping, the reproducible build, and what is published."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from ..planner import ROOT, changes
from ..scripts import load

build_layer = load("layer", "build_layer.py")
REQUIREMENTS = str(ROOT / "layer" / "requirements.lock")


@pytest.mark.parametrize(
    "runtime, newest",
    [("python3.10", 26), ("python3.11", 26), ("python3.12", 34), ("python3.13", 34), ("python3.14", 34)],
)
def test_runtime_glibc_decides_the_platform_tags(runtime, newest):
    tags = build_layer.platform_tags(runtime, "x86_64")
    assert tags[0] == f"manylinux_2_{newest}_x86_64"
    assert f"manylinux_2_{newest + 1}_x86_64" not in tags
    assert tags[-1] == "manylinux1_x86_64"
    assert {"manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux_2_17_x86_64"} <= set(tags)


def test_arm64_gets_aarch64_wheels_only():
    tags = build_layer.platform_tags("python3.13", "arm64")
    assert tags[0] == "manylinux_2_34_aarch64" and all(t.endswith("_aarch64") for t in tags)
    assert "manylinux2014_aarch64" in tags and "manylinux1_aarch64" not in tags


def test_pip_is_asked_for_the_target_never_the_host():
    command = build_layer.pip_command(Path("r.txt"), Path("t"), "python3.12", "arm64", "lambda")
    joined = " ".join(command)
    assert "--only-binary=:all: " in joined and "--python-version 3.12" in joined and "--implementation cp" in joined
    assert "--platform manylinux_2_34_aarch64" in joined
    assert "--platform" not in " ".join(
        build_layer.pip_command(Path("r.txt"), Path("t"), "python3.11", "x86_64", "host")
    )
    assert "--index-url" not in command, "no build.index_url: the runner's pip configuration decides the index"
    assert "--require-hashes" not in command, "r.txt holds no hashes"
    locked = build_layer.pip_command([Path(REQUIREMENTS)], Path("t"), "python3.13", "x86_64", "lambda", "https://m/s")
    assert "--require-hashes" in locked and locked[locked.index("--index-url") + 1] == "https://m/s"


def test_pillow_13_on_amazon_linux_2_fails_with_a_clear_error(tmp_path, monkeypatch, capsys):
    for name, value in {
        "LAYER_REQUIREMENTS": REQUIREMENTS,
        "LAYER_RUNTIME": "python3.11",
        "LAYER_ARCHITECTURE": "x86_64",
        "LAYER_TARGET": "lambda",
    }.items():
        monkeypatch.setenv(name, value)
    assert build_layer.main(["build_layer.py", str(tmp_path / "layer.zip")]) == 1
    err = capsys.readouterr().err
    assert "No binary wheel of pillow==13.0.0 runs on python3.11" in err
    assert "Amazon Linux 2 (glibc 2.26)" in err and 'build.layer_target = "host"' in err
    assert not (tmp_path / "layer.zip").exists()


def test_host_build_refuses_a_runtime_that_is_not_the_local_python():
    with pytest.raises(build_layer.BuildError, match='The "host" layer target builds wheels for this machine'):
        build_layer.check_host("python3.13" if build_layer.sys.version_info[:2] != (3, 13) else "python3.12", "x86_64")


def test_build_is_reproducible(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("six==1.17.0\n")
    first = tmp_path / "a" / "layer.zip"
    second = tmp_path / "b" / "layer.zip"
    for out in (first, second):
        build_layer.build(requirements, out, "python3.13", "x86_64", "lambda", 50_000_000)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        assert "python/six.py" in names and names == sorted(names)
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_oversized_zip_is_refused_without_an_s3_bucket(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("six==1.17.0\n")
    with pytest.raises(build_layer.BuildError, match="set layer_s3_bucket"):
        build_layer.build(requirements, tmp_path / "layer.zip", "python3.13", "x86_64", "lambda", 100)
    assert not (tmp_path / "layer.zip").exists()


def plan_layer(planners, **args):
    return planners["layer"].plan(
        outputs=("zip_path", "build_hash"),
        **{"layer_name": "deps", "requirements_files": [REQUIREMENTS], **args},
    )


def test_published_layer_is_compatible_with_its_runtime_and_architecture(planners):
    plan = plan_layer(planners, runtime="python3.12", architecture="arm64")
    layer = changes(plan, "aws_lambda_layer_version.this")
    assert layer["compatible_runtimes"] == ["python3.12"] and layer["compatible_architectures"] == ["arm64"]
    build = changes(plan, "terraform_data.build[0]")
    assert build["input"]["zip"] == plan.outputs["zip_path"] == build["triggers_replace"]
    assert plan.outputs["build_hash"][:16] in build["input"]["zip"]


def test_zip_is_content_addressed(planners):
    base = plan_layer(planners).outputs
    assert plan_layer(planners).outputs["zip_path"] == base["zip_path"]
    assert plan_layer(planners, runtime="python3.12").outputs["zip_path"] != base["zip_path"]
    assert plan_layer(planners, architecture="arm64").outputs["zip_path"] != base["zip_path"]
    assert plan_layer(planners, build_target="host").outputs["zip_path"] != base["zip_path"]
    heif = [REQUIREMENTS, str(ROOT / "layer" / "requirements-heif.lock")]
    assert plan_layer(planners, requirements_files=heif).outputs["zip_path"] != base["zip_path"]
    exclude = [str(ROOT / "layer" / "exclude-avif.txt")]
    assert plan_layer(planners, exclude_files=exclude).outputs["zip_path"] != base["zip_path"]


def test_large_layers_go_through_s3(planners):
    plan = plan_layer(planners, s3_bucket="artifacts")
    obj = changes(plan, "aws_s3_object.layer[0]")
    assert obj["bucket"] == "artifacts" and obj["key"].startswith("lambda-layers/layer-deps-")
    layer = changes(plan, "aws_lambda_layer_version.this")
    assert layer["s3_bucket"] == "artifacts" and layer["filename"] is None


def test_bad_build_target_fails_at_plan(planners):
    assert 'build_target must be "lambda" or "host"; got "docker".' in planners["layer"].plan_error(
        layer_name="deps", requirements_files=[REQUIREMENTS], build_target="docker"
    )


def host_layer(tmp_path: Path, requirements: list[Path], exclude: list[Path]) -> tuple[Path, list[str]]:
    """Build a layer for this machine's Python and unpack it; its python/ folder and its file names."""
    import sys

    runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"
    out = tmp_path / "layer.zip"
    build_layer.build(requirements, out, runtime, "x86_64", "host", 50_000_000, exclude)
    with zipfile.ZipFile(out) as archive:
        archive.extractall(tmp_path / "opt")
        return tmp_path / "opt" / "python", archive.namelist()


def thumbnail_widths(layer: Path, pictures: dict[str, Path], extra: tuple[str, ...]) -> list[str]:
    """Thumbnail each picture with only the layer and the function importable (no host packages), as Lambda does."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        f"sys.path[:0] = [{str(layer)!r}, {str(ROOT / 'function')!r}]\n"
        "from thumbnailer.picture.imaging import make_thumbnails\n"
        f"for name, path in { ({k: str(v) for k, v in pictures.items()})!r}.items():\n"
        f"    print(name, make_thumbnails(path, [100], extra_formats={extra!r}).thumbnails[0].width)\n"
    )
    done = subprocess.run([sys.executable, "-S", "-E", "-c", script], capture_output=True, text=True, check=True)
    return done.stdout.split()


def pictures(tmp_path: Path, formats: tuple[str, ...]) -> dict[str, Path]:
    from PIL import Image

    made = {}
    for fmt in formats:
        path = made[fmt] = tmp_path / f"picture.{fmt.lower()}"
        im = Image.new("RGB", (500, 400), "red")
        if fmt == "HEIF":
            import pillow_heif

            pillow_heif.from_pillow(im).save(path, quality=80)
        else:
            im.save(path, fmt)
    return made


def test_pruned_layer_still_makes_every_format(tmp_path):
    """The default layer leaves out what layer/exclude.txt and exclude-avif.txt list; the four input formats must
    still work, with only the layer and the function on the import path."""
    layer, names = host_layer(
        tmp_path, [Path(REQUIREMENTS)], [ROOT / "layer" / "exclude.txt", ROOT / "layer" / "exclude-avif.txt"]
    )
    assert not [n for n in names if "_avif" in n or "libavif" in n or "_imagingft" in n or "heif" in n]
    assert any("/_imaging." in n for n in names)
    widths = thumbnail_widths(layer, pictures(tmp_path, ("JPEG", "PNG", "WEBP", "GIF")), ())
    assert widths == ["JPEG", "100", "PNG", "100", "WEBP", "100", "GIF", "100"]


def test_extra_formats_bring_their_decoders_into_the_layer(tmp_path):
    """extra_formats = ["heif", "avif", "pdf"]: requirements-heif.txt and requirements-pdf.txt are installed too and
    exclude-avif.txt is not used."""
    locks = [Path(REQUIREMENTS), ROOT / "layer" / "requirements-heif.lock", ROOT / "layer" / "requirements-pdf.lock"]
    layer, names = host_layer(tmp_path, locks, [ROOT / "layer" / "exclude.txt"])
    assert any(n.startswith("python/pi_heif/") for n in names) and any("libavif" in n for n in names)
    assert any(n.startswith("python/pypdfium2_raw/libpdfium") for n in names), "PDFium for PDF previews"
    assert not any(n.startswith("python/pillow_heif") or "x265" in n for n in names), "no GPL encoder"
    assert not any(n.startswith("python/av") for n in names), "FFmpeg only ever in the video layer of its own"
    widths = thumbnail_widths(layer, pictures(tmp_path, ("HEIF", "AVIF", "JPEG")), ("heif", "avif"))
    assert widths == ["HEIF", "100", "AVIF", "100", "JPEG", "100"]


def test_a_locked_build_is_copied_from_the_cache_and_an_unlocked_one_never_is(tmp_path, monkeypatch):
    """THUMBNAILS_LAYER_CACHE: the same locked inputs give the cached bytes without pip; any input that changes
    the bytes (here the exclusions) is another entry; an unlocked requirements file has no content address."""
    cache, exclude = tmp_path / "cache", tmp_path / "exclude.txt"
    exclude.write_text("PIL/*.pyi\n")
    calls = []
    real = build_layer.build

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(build_layer, "build", counted)
    locked = [Path(REQUIREMENTS)]
    runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"
    arguments = (runtime, "x86_64", "host", 50_000_000)
    first, hit = build_layer.build_cached(
        locked, tmp_path / "a.zip", *arguments, [exclude], "https://pypi.org/simple", cache
    )
    again, hit_again = build_layer.build_cached(
        locked, tmp_path / "b.zip", *arguments, [exclude], "https://pypi.org/simple", cache
    )
    assert (hit, hit_again, len(calls)) == (False, True, 1)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes() and first == again
    assert [p.name for p in cache.iterdir()] == [
        f"{build_layer.cache_key(locked, *arguments[:3], [exclude], 'https://pypi.org/simple')}.zip"
    ]

    exclude.write_text("PIL/*.pyi\nPIL/_imagingmorph*\n")
    assert build_layer.cache_key(locked, *arguments[:3], [exclude], "https://pypi.org/simple") not in {
        p.stem for p in cache.iterdir()
    }
    loose = tmp_path / "requirements.txt"
    loose.write_text("pillow\n")
    assert build_layer.cache_key([loose], *arguments[:3], [], "https://pypi.org/simple") is None
