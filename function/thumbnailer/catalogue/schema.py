"""The catalogue's table, as migrations: each is applied once, in order, and never edited once released.

A later change to the table is a new entry at the end of MIGRATIONS (an ALTER TABLE); the function applies what
a database has not seen yet on its first connection, under a named lock so that concurrent cold starts apply it
once. ``{table}`` is the module's database.table (validated: letters, digits, underscores).

Uniqueness of (bucket, key, size, format) without an index over the raw key: a key is up to 1,024 bytes of UTF-8 (4,096
bytes as utf8mb4 characters), beyond InnoDB's 3,072-byte index limit. ``source_id`` is the SHA-256 of
``bucket/key`` (a bucket name has no "/", so the pair is unambiguous), a stored generated column: the database
computes it, so no writer can get it wrong, and (source_id, size, format) is the unique key (migration 2; it
was (source_id, size) before thumbnails came in several formats). Look a source up with
``WHERE source_id = UNHEX(SHA2(CONCAT(bucket, '/', key), 256))``.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: the table
    """
    CREATE TABLE IF NOT EXISTS `{table}` (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        source_bucket VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        source_key VARCHAR(1024) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
        source_id BINARY(32) AS (UNHEX(SHA2(CONCAT(source_bucket, '/', source_key), 256))) STORED,
        source_version_id VARCHAR(1024) CHARACTER SET ascii COLLATE ascii_bin NULL,
        source_etag VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        source_bytes BIGINT UNSIGNED NOT NULL,
        source_width INT UNSIGNED NOT NULL,
        source_height INT UNSIGNED NOT NULL,
        source_format VARCHAR(16) CHARACTER SET ascii NOT NULL,
        size VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        thumbnail_bucket VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        thumbnail_key VARCHAR(2048) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
        width INT UNSIGNED NOT NULL,
        height INT UNSIGNED NOT NULL,
        bytes BIGINT UNSIGNED NOT NULL,
        format VARCHAR(16) CHARACTER SET ascii NOT NULL,
        blurhash VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        sequencer VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
        processed_at DATETIME(6) NOT NULL,
        UNIQUE KEY source_size (source_id, size)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
    """,
    # 2: one row per size and format (OUTPUT_FORMATS). Every existing row stays: unique per (source, size), it is
    # unique per (source, size, format) too. The new key is added before the old one goes, so no moment is
    # without one.
    """
    ALTER TABLE `{table}`
        ADD UNIQUE KEY source_size_format (source_id, size, format),
        DROP INDEX source_size,
        ALGORITHM = INPLACE, LOCK = NONE
    """,
    # 3: previews (picture/previews.py): a PDF's page count and first page's size in points; NULL for a picture.
    # New nullable columns at the end: InnoDB adds them in place, existing rows read NULL.
    """
    ALTER TABLE `{table}`
        ADD COLUMN source_pages INT UNSIGNED NULL,
        ADD COLUMN source_page_width DECIMAL(9, 2) NULL,
        ADD COLUMN source_page_height DECIMAL(9, 2) NULL
    """,
)


def migrations_table(table: str) -> str:
    """The table that records which migrations a database has: one row per migration applied."""
    return f"{table}_migrations"
