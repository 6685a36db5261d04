"""What every thumbnail is written with besides its bytes: Cache-Control, Content-Disposition with the source's
file name, the source's own metadata named by COPY_METADATA, the storage class and the tags; on every write,
the "never bigger than the source" one and every format included."""

from __future__ import annotations

import pytest

import app
from thumbnailer.aws.storage import content_disposition
from thumbnailer.keys import file_name
from thumbnailer.picture.formats import OUTPUTS

from ..conftest import DEST, SOURCE, invoke, log_lines, s3_event, thumbnail_keys
from ..images import encode, jpeg, photo


def configure(env, **values: str) -> None:
    for name, value in values.items():
        env.setenv(name, value)
    app.settings.cache_clear()


def heads(s3) -> dict[str, dict]:
    return {key: s3.head_object(Bucket=DEST, Key=key) for key in thumbnail_keys(s3)}


def test_every_thumbnail_carries_every_configured_header_and_tag(s3, env):
    configure(
        env,
        THUMBNAIL_SIZES="512,256,64x64",
        OUTPUT_FORMATS="webp,jpeg",
        CACHE_CONTROL="public, max-age=604800, immutable",
        CONTENT_DISPOSITION="attachment",
        COPY_METADATA="photographer,licence,missing",
        STORAGE_CLASS="STANDARD_IA",
        THUMBNAIL_TAGS="team=web&cost+centre=42",
    )
    metadata = {"photographer": "Ana", "licence": "CC-BY-4.0", "internal": "not copied"}
    s3.put_object(Bucket=SOURCE, Key="shoot/cat.jpg", Body=jpeg(800, 600), Metadata=metadata)
    s3.put_object(Bucket=SOURCE, Key="shoot/tiny.png", Body=encode(photo(40, 30), "PNG"), Metadata=metadata)
    summary = invoke(s3_event("shoot/cat.jpg", "shoot/tiny.png"))
    assert len(summary["processed"]) == 2, summary

    found = heads(s3)
    assert len(found) == 12, "3 sizes x 2 formats x 2 sources, the tiny one written at its own size"
    assert "thumbnails/512/shoot/tiny.png.webp" in found and "thumbnails/512/shoot/cat.jpg.jpg" in found
    for key, head in found.items():
        name = ("cat" if "/cat." in key else "tiny") + (".webp" if key.endswith(".webp") else ".jpg")
        assert head["CacheControl"] == "public, max-age=604800, immutable", key
        assert head["ContentDisposition"] == f'attachment; filename="{name}"', key
        assert head["StorageClass"] == "STANDARD_IA", key
        assert {k: head["Metadata"][k] for k in ("photographer", "licence")} == {
            "photographer": "Ana",
            "licence": "CC-BY-4.0",
        }, key
        assert "internal" not in head["Metadata"] and head["Metadata"]["source-key"].startswith("shoot/")
        tags = s3.get_object_tagging(Bucket=DEST, Key=key)["TagSet"]
        assert sorted((t["Key"], t["Value"]) for t in tags) == [("cost centre", "42"), ("team", "web")], key


def test_by_default_a_thumbnail_is_shown_inline_under_its_source_s_name_and_copies_no_metadata(s3):
    s3.put_object(Bucket=SOURCE, Key="a/b/photo.png", Body=encode(photo(600, 400), "PNG"), Metadata={"x": "y"})
    invoke(s3_event("a/b/photo.png"))
    head = s3.head_object(Bucket=DEST, Key="thumbnails/256/a/b/photo.png")
    assert head["ContentDisposition"] == 'inline; filename="photo.png"'
    assert "CacheControl" not in head, "the function alone writes none; the module's default is set by Terraform"
    assert "x" not in head["Metadata"]
    assert s3.get_object_tagging(Bucket=DEST, Key="thumbnails/256/a/b/photo.png")["TagSet"] == []


def test_content_disposition_none_writes_no_header(s3, env):
    configure(env, CONTENT_DISPOSITION="none")
    s3.put_object(Bucket=SOURCE, Key="p.jpg", Body=jpeg())
    invoke(s3_event("p.jpg"))
    assert "ContentDisposition" not in s3.head_object(Bucket=DEST, Key="thumbnails/256/p.jpg")


def test_metadata_past_s3_s_limit_is_left_out_and_said(s3, env, capsys):
    configure(env, COPY_METADATA="small,huge")
    s3.put_object(Bucket=SOURCE, Key="m.jpg", Body=jpeg(), Metadata={"small": "ok", "huge": "h" * 1990})
    summary = invoke(s3_event("m.jpg"))
    assert len(summary["processed"]) == 1, summary
    head = s3.head_object(Bucket=DEST, Key="thumbnails/256/m.jpg")
    assert head["Metadata"]["small"] == "ok" and "huge" not in head["Metadata"]
    line = next(line for line in log_lines(capsys.readouterr().out) if line.get("outcome") == "processed")
    assert "metadata not copied: huge would pass S3's 2048-byte limit" in line["reason"]


@pytest.mark.parametrize(
    "key, fmt, name",
    [
        ("photos/cat.jpg", "jpeg", "cat.jpg"),
        ("photos/cat.JPEG", "jpeg", "cat.JPEG"),
        ("photos/cat.png", "webp", "cat.webp"),
        ("cat.gif", "png", "cat.png"),
        ("IMG_0001.HEIC", "jpeg", "IMG_0001.jpg"),
        ("archive/report.v2", "avif", "report.v2.avif"),
        ("no-extension", "jpeg", "no-extension.jpg"),
        (".hidden", "png", ".hidden.png"),
    ],
)
def test_the_file_name_is_the_source_s_with_the_thumbnail_s_extension(key, fmt, name):
    assert file_name(key, OUTPUTS[fmt]) == name


@pytest.mark.parametrize(
    "name, header",
    [
        ("cat.jpg", 'inline; filename="cat.jpg"'),
        ('say "hi"\\.png', "inline; filename=\"say _hi__.png\"; filename*=UTF-8''say%20%22hi%22%5C.png"),
        ("café.webp", "inline; filename=\"caf_.webp\"; filename*=UTF-8''caf%C3%A9.webp"),
    ],
)
def test_content_disposition_is_ascii_with_the_full_name_in_rfc_8187_form(name, header):
    value = content_disposition("inline", name)
    assert value == header and value.isascii()
