"""The image catalogue against a real MariaDB server (tests/conftest.py starts a private one): rows for every size,
upserts, sequencer order, 1,024-byte keys, a rotated password, a stopped server, deletions, migrations."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote_plus

import boto3
import pymysql
import pytest

import app
from thumbnailer.catalogue import schema
from thumbnailer.catalogue.catalogue import Catalogue, Row
from thumbnailer.catalogue.credentials import Login
from thumbnailer.errors import CatalogueUnavailable, RetryableError

from ...conftest import CA_BUNDLE, make_certificates
from ..conftest import DEST, SOURCE, invoke, load_event, log_lines, s3_event
from ..documents import page_pdf
from ..images import jpeg

SIZES = {"512": (512, 384), "256": (256, 192), "64x64": (64, 64)}


class Fixed:
    """A login that never changes (the catalogue's LoginSource), for the tests of the table itself."""

    def __init__(self, database):
        self.login = Login(database.host, database.port, database.user, database.password, database.name)

    def get(self) -> Login:
        return self.login

    refresh = get


@pytest.fixture
def secret(s3, env, database):
    """The catalogue switched on as the module switches it on: DATABASE_SECRET_ARN names an RDS-shaped secret."""
    client = boto3.client("secretsmanager", region_name="us-east-1")
    arn = client.create_secret(Name="thumbnails-db", SecretString=database.secret())["ARN"]
    env.setenv("DATABASE_SECRET_ARN", arn)
    env.setenv("THUMBNAIL_SIZES", ",".join(SIZES))
    for name in ("DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD", "DB_NAME", "DATABASE_TABLE"):
        env.delenv(name, raising=False)
    app.settings.cache_clear()
    app.catalogue.cache_clear()
    yield client, arn
    if (catalogue := app.catalogue()) is not None:
        catalogue.close()
    app.catalogue.cache_clear()


def upload(s3, key: str, width: int = 1024, height: int = 768) -> None:
    s3.put_object(Bucket=SOURCE, Key=key, Body=jpeg(width, height))


def event(key: str, sequencer: str, name: str = "s3-put.json") -> dict:
    record = load_event(name)["Records"][0]
    record["s3"]["bucket"].update(name=SOURCE, arn=f"arn:aws:s3:::{SOURCE}")
    record["s3"]["object"].update(key=quote_plus(key, safe="/"), sequencer=sequencer)
    return {"Records": [record]}


def rows(database, *columns: str) -> list[tuple]:
    return database.query(f"SELECT {', '.join(columns)} FROM thumbnails ORDER BY source_key, width DESC")


def test_rows_appear_for_every_size_with_their_dimensions(s3, secret, database, capsys):
    upload(s3, "cats/tabby cat.jpg")
    summary = invoke(s3_event("cats/tabby cat.jpg"))

    assert len(summary["processed"]) == 1, summary
    found = rows(
        database, "source_bucket", "source_key", "source_width", "source_height", "source_format", "size",
        "thumbnail_bucket", "thumbnail_key", "width", "height", "format", "source_version_id",
    )  # fmt: skip
    assert found == [
        (SOURCE, "cats/tabby cat.jpg", 1024, 768, "jpeg", size, DEST, f"thumbnails/{size}/cats/tabby cat.jpg", w, h,
         "jpeg", None)
        for size, (w, h) in SIZES.items()
    ]  # fmt: skip
    etag = s3.head_object(Bucket=SOURCE, Key="cats/tabby cat.jpg")["ETag"].strip('"')
    for size, thumb_bytes, source_bytes, source_etag, blurhash, sequencer in rows(
        database, "size", "bytes", "source_bytes", "source_etag", "blurhash", "sequencer"
    ):
        stored = s3.head_object(Bucket=DEST, Key=f"thumbnails/{size}/cats/tabby cat.jpg")
        assert thumb_bytes == stored["ContentLength"]
        assert source_bytes == s3.head_object(Bucket=SOURCE, Key="cats/tabby cat.jpg")["ContentLength"]
        assert source_etag == etag
        assert blurhash == stored["Metadata"]["blurhash"] and 20 <= len(blurhash) <= 30, "one placeholder for all"
        assert sequencer == "0A1B2C3D4E5F678901"
    assert database.password not in capsys.readouterr().out, "the password is never logged"


def test_the_readmes_query_finds_every_size_of_a_picture(s3, secret, database):
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    query = readme.split("```sql\n", 1)[1].split("```", 1)[0]
    upload(s3, "uploads/cat.jpg")
    invoke(s3_event("uploads/cat.jpg"))
    found = database.query(query.replace("'my-uploads'", f"'{SOURCE}'").rstrip().rstrip(";"))
    assert [(size, w, h, key) for size, w, h, _, key, _ in found] == [
        (size, w, h, f"thumbnails/{size}/uploads/cat.jpg") for size, (w, h) in SIZES.items()
    ]
    assert len({blurhash for *_, blurhash in found}) == 1


def test_a_duplicated_event_leaves_one_row_per_size(s3, secret, database):
    upload(s3, "dup.jpg")
    for _ in range(3):
        invoke(s3_event("dup.jpg"))
    assert database.query("SELECT size, COUNT(*) FROM thumbnails GROUP BY size ORDER BY size") == [
        ("256", 1), ("512", 1), ("64x64", 1)
    ]  # fmt: skip


def test_an_older_event_never_overwrites_newer_rows(database):
    catalogue = Catalogue(Fixed(database), "thumbnails")

    def row(width: int, sequencer: str | None) -> Row:
        return Row(SOURCE, "k.jpg", None, "e", 1, width, width, "JPEG", "256", DEST, "t/k.jpg", width, width, 9,
                   "jpeg", "L00000fQfQfQfQfQfQfQfQfQfQfQ", sequencer)  # fmt: skip

    catalogue.record([row(300, "0055AED6DCD90281E5")])
    catalogue.record([row(100, "0055AED6DCD90281E4")])  # older: ignored
    assert rows(database, "width", "sequencer") == [(300, "0055AED6DCD90281E5")]
    catalogue.record([row(200, "0055AED6DCD90281E500")])  # longer, equal once right-padded: not older, written
    assert rows(database, "width", "sequencer") == [(200, "0055AED6DCD90281E500")]
    catalogue.record([row(250, "0055aed6dcd90281e6")])  # hexadecimal, whatever the case
    assert rows(database, "width") == [(250,)]
    catalogue.record([row(260, None)])  # no sequencer (S3 Batch Operations): what the object is now
    assert rows(database, "width", "sequencer") == [(260, "0055AED6DCD90281E6".lower())]

    assert catalogue.forget(SOURCE, "k.jpg", "0055AED6DCD90281E0") == 0, "an older deletion leaves newer rows"
    assert catalogue.forget(SOURCE, "k.jpg", "0055AED6DCD90281F0") == 1
    catalogue.close()


def test_a_render_leaves_the_rows_of_the_configured_sizes_only(database):
    """After thumbnail_sizes changed, the next render of a source (thumbnails reconcile runs every source) removes
    the rows of the sizes no longer configured, unless a newer event wrote them; other sources keep theirs."""
    catalogue = Catalogue(Fixed(database), "thumbnails")

    def row(key: str, size: str, sequencer: str | None = None) -> Row:
        return Row(SOURCE, key, None, "e", 1, 99, 99, "JPEG", size, DEST, f"t/{size}/{key}", 9, 9, 9,
                   "jpeg", "L00000fQfQfQfQfQfQfQfQfQfQfQ", sequencer)  # fmt: skip

    catalogue.record([row("a.jpg", size) for size in ("1024", "256", "128x128")])
    catalogue.record([row("b.jpg", size) for size in ("1024", "256")])
    catalogue.record([row("a.jpg", size) for size in ("1024", "512")])  # 256 and 128x128 retired, 512 added
    assert sorted(database.query("SELECT source_key, size FROM thumbnails")) == [
        ("a.jpg", "1024"), ("a.jpg", "512"), ("b.jpg", "1024"), ("b.jpg", "256"),
    ]  # fmt: skip
    catalogue.record([row("b.jpg", "64", "0055AED6DCD90281E5")])
    catalogue.record([row("b.jpg", "1024", "0055AED6DCD90281E4")])  # older than the 64 row: that row stays
    assert sorted(database.query("SELECT size FROM thumbnails WHERE source_key = 'b.jpg'")) == [("1024",), ("64",)]
    catalogue.close()


def _row(key: str, size: str, fmt: str, sequencer: str | None = None) -> Row:
    return Row(SOURCE, key, None, "e", 1, 99, 99, "jpeg", size, DEST, f"t/{size}/{key}.{fmt}", 9, 9, 9, fmt,
               "L00000fQfQfQfQfQfQfQfQfQfQfQ", sequencer)  # fmt: skip


def test_a_render_leaves_the_rows_of_the_configured_formats_only(database):
    """One row per size and format; after output_formats changed, the next render retires the other formats."""
    catalogue = Catalogue(Fixed(database), "thumbnails")
    catalogue.record([_row("a.jpg", size, fmt) for size in ("512", "256") for fmt in ("avif", "webp", "jpeg")])
    catalogue.record([_row("a.jpg", size, fmt) for size in ("512", "256") for fmt in ("avif", "webp", "jpeg")])
    assert database.query("SELECT COUNT(*) FROM thumbnails") == [(6,)], "a retry leaves one row per size and format"
    catalogue.record([_row("a.jpg", size, fmt) for size in ("512", "256") for fmt in ("webp", "jpeg")])
    assert sorted(database.query("SELECT size, format FROM thumbnails")) == [
        ("256", "jpeg"), ("256", "webp"), ("512", "jpeg"), ("512", "webp"),
    ]  # fmt: skip
    assert catalogue.forget(SOURCE, "a.jpg", None) == 4, "a deletion removes every format"
    catalogue.close()


def test_the_format_migration_keeps_the_rows_it_finds(database):
    """A table made before thumbnails came in several formats (migration 1 only) keeps its rows through migration
    2, and then takes a second format of the same size beside them."""
    before = Catalogue(Fixed(database), "thumbnails", migrations=schema.MIGRATIONS[:1])
    before.forget(SOURCE, "none", None)  # connects, so makes the table of migration 1 alone
    before.close()
    old = [c for c in Row.__dataclass_fields__ if c not in PREVIEW_COLUMNS]  # migration 3 came later
    for size in ("512", "256"):
        row = _row("old.jpg", size, "jpeg")
        database.query(
            f"INSERT INTO thumbnails ({', '.join(old)}, processed_at) VALUES ({', '.join(['%s'] * len(old))}, NOW())",
            *(getattr(row, c) for c in old),
        )
    copy = (
        "INSERT INTO thumbnails (" + ", ".join(old) + ", processed_at) SELECT "
        + ", ".join("'webp'" if c == "format" else c for c in old)
        + ", processed_at FROM thumbnails WHERE size = '512'"
    )  # fmt: skip
    with pytest.raises(pymysql.err.IntegrityError, match="Duplicate entry"):  # before: (source, size) is the key
        database.query(copy)
    after = Catalogue(Fixed(database), "thumbnails")
    after.forget(SOURCE, "none", None)  # connects, so migrates
    assert sorted(database.query("SELECT size, format FROM thumbnails")) == [("256", "jpeg"), ("512", "jpeg")]
    after.record([_row("old.jpg", size, fmt) for size in ("512", "256") for fmt in ("webp", "jpeg")])
    assert sorted(database.query("SELECT size, format FROM thumbnails")) == [
        ("256", "jpeg"), ("256", "webp"), ("512", "jpeg"), ("512", "webp"),
    ]  # fmt: skip
    after.close()


PREVIEW_COLUMNS = ("source_pages", "source_page_width", "source_page_height")


def test_a_pdf_has_its_page_count_and_page_size_in_its_rows_and_a_picture_none(s3, secret, env, database):
    """Migration 3's columns: a PDF's page count and first page's size in points; NULL for a picture."""
    env.setenv("EXTRA_FORMATS", "pdf")
    app.settings.cache_clear()
    s3.put_object(Bucket=SOURCE, Key="docs/report.pdf", Body=page_pdf(595.28, 841.89, pages=3))
    upload(s3, "cat.jpg")
    invoke(s3_event("docs/report.pdf", "cat.jpg"))
    found = rows(database, "source_key", "source_format", "size", "thumbnail_key", *PREVIEW_COLUMNS)
    assert found == [
        ("cat.jpg", "jpeg", size, f"thumbnails/{size}/cat.jpg", None, None, None) for size in SIZES
    ] + [
        ("docs/report.pdf", "pdf", size, f"thumbnails/{size}/docs/report.pdf.webp", 3, Decimal("595.28"),
         Decimal("841.89"))
        for size in SIZES
    ]  # fmt: skip


def test_a_migration_the_server_finished_but_nobody_recorded_is_taken_as_applied(database, capsys):
    """A cold start that timed out while the server finished the last migration's ALTER (3: the preview columns)
    leaves the table changed and the version unrecorded: the next one finds it applied (duplicate column) instead
    of failing for ever."""
    first = Catalogue(Fixed(database), "thumbnails")
    first.forget(SOURCE, "none", None)  # every migration applied and recorded
    first.close()
    last = len(schema.MIGRATIONS)
    database.query("DELETE FROM thumbnails_migrations WHERE version = %s", last)
    again = Catalogue(Fixed(database), "thumbnails")
    again.record([_row("a.jpg", "256", "webp"), _row("a.jpg", "256", "jpeg")])
    again.close()
    versions = database.query("SELECT version FROM thumbnails_migrations ORDER BY version")
    assert versions == [(version,) for version in range(1, last + 1)]
    assert database.query("SELECT COUNT(*) FROM thumbnails") == [(2,)]
    assert "catalogue migration found applied" in capsys.readouterr().out


def test_every_format_of_every_size_has_its_row_and_a_deletion_removes_them(s3, secret, env, database):
    env.setenv("OUTPUT_FORMATS", "webp,jpeg")
    app.settings.cache_clear()
    upload(s3, "both/cat.jpg")
    invoke(event("both/cat.jpg", "0055AED6DCD90281E5"))
    found = database.query("SELECT size, format, thumbnail_key FROM thumbnails ORDER BY size, format")
    assert found == [
        (size, fmt, f"thumbnails/{size}/both/cat.jpg.{ext}")
        for size in sorted(SIZES) for fmt, ext in (("jpeg", "jpg"), ("webp", "webp"))
    ]  # fmt: skip
    s3.delete_object(Bucket=SOURCE, Key="both/cat.jpg")
    summary = invoke(event("both/cat.jpg", "0055AED6DCD90281E6", "s3-delete.json"))
    assert len(summary["deleted"][0]["thumbnails"]) == 6, summary
    assert database.query("SELECT COUNT(*) FROM thumbnails") == [(0,)]


def test_a_late_event_for_an_older_upload_leaves_the_newer_rows(s3, secret, database):
    """Through the handler: the event of the second upload is processed first; the first upload's event, late,
    leaves its sequencer and time alone (the thumbnails are the current picture's either way)."""
    upload(s3, "late.jpg", 800, 600)
    upload(s3, "late.jpg", 1024, 768)
    invoke(event("late.jpg", "0055AED6DCD90281E6"))
    before = rows(database, "size", "source_width", "sequencer", "processed_at")
    invoke(event("late.jpg", "0055AED6DCD90281E5"))
    assert rows(database, "size", "source_width", "sequencer", "processed_at") == before
    assert {(width, sequencer) for _, width, sequencer, _ in before} == {(1024, "0055AED6DCD90281E6")}


def test_a_1024_byte_unicode_key_is_unique_per_size(database):
    key = "ü" * 510 + ".jpg"
    assert len(key.encode()) == 1024
    catalogue = Catalogue(Fixed(database), "thumbnails")

    def row(size: str) -> Row:
        return Row(SOURCE, key, "v1", "e", 1, 9, 9, "JPEG", size, DEST, f"thumbnails/{size}/{key}", 9, 9, 9, "jpeg",
                   "L00000fQfQfQfQfQfQfQfQfQfQfQ", "01")  # fmt: skip

    for _ in range(2):  # every size of the source, twice: one row per size
        catalogue.record([row("256"), row("64x64")])
    assert database.query("SELECT source_key, size FROM thumbnails ORDER BY size") == [(key, "256"), (key, "64x64")]
    other = key[:-5] + "a.jpg"  # the same first 1,019 bytes: a different key, its own rows
    catalogue.record([Row(SOURCE, other, None, "e", 1, 9, 9, "JPEG", "256", DEST, "t", 9, 9, 9, "jpeg", "x", "01")])
    assert catalogue.forget(SOURCE, key, None) == 2
    assert database.query("SELECT source_key FROM thumbnails") == [(other,)]
    catalogue.close()


def test_a_deletion_removes_the_rows(s3, secret, database, capsys):
    upload(s3, "gone soon.jpg")
    invoke(event("gone soon.jpg", "0055AED6DCD90281E5"))
    assert len(rows(database, "size")) == 3
    s3.delete_object(Bucket=SOURCE, Key="gone soon.jpg")
    summary = invoke(event("gone soon.jpg", "0055AED6DCD90281E6", "s3-delete.json"))
    assert len(summary["deleted"]) == 1, summary
    assert rows(database, "size") == []


def test_a_rotated_password_recovers_after_one_refresh(s3, secret, database, capsys):
    client, arn = secret
    upload(s3, "before.jpg")
    invoke(s3_event("before.jpg"))
    rotated = database.set_password("rotated-" + database.password)
    client.put_secret_value(SecretId=arn, SecretString=rotated.secret())
    app.catalogue().close()  # a new connection must log in: with the cached (old) password first

    upload(s3, "after.jpg")
    summary = invoke(s3_event("after.jpg"))

    assert len(summary["processed"]) == 1, summary
    assert {key for (key,) in rows(database, "source_key")} == {"before.jpg", "after.jpg"}
    out = capsys.readouterr().out
    assert [line["message"] for line in log_lines(out)].count(
        "catalogue login refused: fetching the secret again (rotated?)"
    ) == 1
    assert database.password not in out and rotated.password not in out


def test_a_stopped_server_fails_the_invocation_and_the_retry_completes_the_rows(s3, secret, database, capsys):
    upload(s3, "first.jpg")
    invoke(s3_event("first.jpg"))
    upload(s3, "second.jpg")
    database.server.stop()
    try:
        with pytest.raises(RetryableError, match="second.jpg: catalogue record: OperationalError 2003"):
            invoke(s3_event("second.jpg"))
        assert s3.head_object(Bucket=DEST, Key="thumbnails/256/second.jpg"), "written thumbnails stay"
    finally:
        database.server.start()
    summary = invoke(s3_event("second.jpg"))  # the retry
    assert len(summary["processed"]) == 1, summary
    assert database.query("SELECT COUNT(*) FROM thumbnails WHERE source_key = 'second.jpg'") == [(3,)]
    assert database.password not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("host=db;password=hunter2-not-json", "is not JSON"),
        (json.dumps({"host": "db", "username": "u", "port": 3306, "secretish": "hunter2-left-out"}), "has no password"),
        (json.dumps({"host": "db", "username": "u", "password": "hunter2-bad-port", "port": "x"}), ": port must be"),
    ],
)
def test_a_bad_secret_is_a_configuration_error_naming_the_arn_and_the_key(s3, secret, value, named, capsys):
    client, arn = secret
    client.put_secret_value(SecretId=arn, SecretString=value)
    upload(s3, "a.jpg")
    with pytest.raises(RetryableError) as raised:
        invoke(s3_event("a.jpg"))
    assert f"catalogue record: configuration: secret {arn}" in str(raised.value)
    assert named in str(raised.value)
    assert "hunter2" not in str(raised.value) + capsys.readouterr().out, "never the secret's value"


def test_db_variables_are_a_fallback_that_warns_once(s3, env, database, capsys):
    for name, value in {"DB_HOST": database.host, "DB_PORT": str(database.port), "DB_USER": database.user,
                        "DB_PASSWORD": database.password, "DB_NAME": database.name}.items():  # fmt: skip
        env.setenv(name, value)
    env.delenv("DATABASE_SECRET_ARN", raising=False)
    app.catalogue.cache_clear()
    try:
        for key in ("one.jpg", "two.jpg"):
            upload(s3, key)
            invoke(s3_event(key))
    finally:
        app.catalogue().close()
        app.catalogue.cache_clear()
    assert {key for (key,) in rows(database, "source_key")} == {"one.jpg", "two.jpg"}
    warnings = [line for line in log_lines(capsys.readouterr().out) if line["level"] == "WARNING"]
    assert len(warnings) == 1 and "DB_* environment variables" in warnings[0]["message"]
    assert database.password not in json.dumps(warnings)


def test_migrations_create_the_table_then_apply_only_what_is_new(database):
    table = "images"
    Catalogue(Fixed(database), table).record([])  # nothing to write: no connection yet
    first = Catalogue(Fixed(database), table)
    first.forget(SOURCE, "none", None)  # connects, so migrates
    first.close()
    released = [(version,) for version in range(1, len(schema.MIGRATIONS) + 1)]
    assert database.query("SELECT version FROM images_migrations ORDER BY version") == released

    later = (*schema.MIGRATIONS, "ALTER TABLE `{table}` ADD COLUMN alt_text VARCHAR(200) NULL")
    for _ in range(2):  # the second environment finds nothing to do
        catalogue = Catalogue(Fixed(database), table, migrations=later)
        catalogue.forget(SOURCE, "none", None)
        catalogue.close()
    assert database.query("SELECT version FROM images_migrations ORDER BY version") == [*released, (len(later),)]
    listed = "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = %s"
    columns = {name for (name,) in database.query(listed, "images")}
    assert {"alt_text", *Row.__dataclass_fields__, "processed_at", "source_id"} <= columns


def test_an_unreachable_database_is_a_transient_failure(database):
    database.server.stop()
    try:
        with pytest.raises(CatalogueUnavailable, match="will be retried"):
            Catalogue(Fixed(database), "thumbnails", timeout=2).forget(SOURCE, "k", None)
    finally:
        database.server.start()


def cipher(catalogue: Catalogue) -> str:
    """The TLS cipher of the catalogue's own connection, as the server sees it ("": in the clear)."""
    with catalogue._connection.cursor() as cursor:
        cursor.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
        return cursor.fetchone()[1]


def test_the_connection_is_encrypted_unless_told_otherwise(database):
    for tls, encrypted in (("require", True), ("verify", True), ("disable", False)):
        catalogue = Catalogue(Fixed(database), "thumbnails", tls=tls, ca_bundle=CA_BUNDLE)
        catalogue.forget(SOURCE, "none", None)
        assert bool(cipher(catalogue)) is encrypted, tls
        catalogue.close()


def test_verify_refuses_a_server_whose_certificate_the_bundle_did_not_sign(database, tmp_path):
    other = tmp_path / "other-ca.pem"
    make_certificates(tmp_path)
    (tmp_path / "ca.pem").rename(other)
    catalogue = Catalogue(Fixed(database), "thumbnails", tls="verify", ca_bundle=str(other))
    with pytest.raises(CatalogueUnavailable, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        catalogue.forget(SOURCE, "none", None)


def test_without_a_database_the_driver_is_never_imported(tmp_path: Path):
    """The cold start of a function without a catalogue does not pay for it (benchmarks/ measures it)."""
    script = (
        "import sys, app\n"
        "assert app.catalogue() is None\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pymysql', 'thumbnailer.catalogue'))))"
    )
    env = {"DESTINATION_BUCKET": DEST, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(app.__file__).parent)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_require_refuses_a_server_that_does_not_speak_tls():
    """A server whose handshake offers no TLS (a MySQL protocol-10 greeting without CLIENT_SSL) is refused under
    "require": the login never leaves in the clear, and the record is retried (the server may be fixed)."""
    import socket
    import struct
    import threading

    capabilities = 0x0200 | 0x8000 | 0x80000  # PROTOCOL_41, SECURE_CONNECTION, PLUGIN_AUTH; no SSL (0x0800)
    greeting = (
        b"\x0a10.11.0-MariaDB-plain\x00"
        + struct.pack("<I", 7)
        + b"abcdefgh\x00"
        + struct.pack("<H", capabilities & 0xFFFF)
        + b"\x21"
        + struct.pack("<H", 2)
        + struct.pack("<H", capabilities >> 16)
        + b"\x15"
        + b"\x00" * 10
        + b"ijklmnopqrst\x00mysql_native_password\x00"
    )
    received: list[bytes] = []
    with socket.create_server(("127.0.0.1", 0)) as server:

        def serve() -> None:
            connection, _ = server.accept()
            with connection:
                connection.sendall(len(greeting).to_bytes(3, "little") + b"\x00" + greeting)
                connection.settimeout(10)
                while chunk := connection.recv(4096):  # until the client closes
                    received.append(chunk)

        thread = threading.Thread(target=serve)
        thread.start()
        login = Login("127.0.0.1", server.getsockname()[1], "app", "hunter2", "thumbnails")
        catalogue = Catalogue(type("Plain", (), {"get": lambda self: login, "refresh": lambda self: login})(), "t")
        with pytest.raises(CatalogueUnavailable, match="SSL is required but the server doesn't support it"):
            catalogue.forget(SOURCE, "k", None)
        thread.join(10)
    assert not thread.is_alive() and b"hunter2" not in b"".join(received) and b"app" not in b"".join(received)
    assert received == [], "nothing at all was sent after the greeting"
