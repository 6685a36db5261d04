"""Seam item 26: an object key longer than S3's 1,024 bytes (UTF-8) is refused, as S3 refuses it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4
from xml.sax.saxutils import escape

from moto.s3 import models as s3_models
from werkzeug.exceptions import HTTPException

from . import patch

MAX_KEY_BYTES = 1024


class KeyTooLong(HTTPException):
    """S3's ``KeyTooLongError``: 400, "Your key is too long", with the key's ``Size`` and ``MaxSizeAllowed``."""

    code = 400

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self.description = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            "<Error><Code>KeyTooLongError</Code><Message>Your key is too long</Message>"
            f"<Size>{size}</Size><MaxSizeAllowed>{MAX_KEY_BYTES}</MaxSizeAllowed>"
            f"<RequestId>{escape(uuid4().hex[:16].upper())}</RequestId><HostId>localaws</HostId></Error>"
        )

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        return str(self.description)

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", "application/xml")]


def check(key: str) -> None:
    """Raise S3's ``KeyTooLongError`` for a key whose UTF-8 encoding is over 1,024 bytes."""
    size = len(key.encode("utf-8", "surrogatepass"))
    if size > MAX_KEY_BYTES:
        raise KeyTooLong(size)


def refuse_keys_over_1024_bytes() -> None:
    """``moto.s3.models.S3Backend.put_object``, ``.copy_object`` and ``.create_multipart_upload`` -- moto stores a
    key of any length, where S3 answers ``KeyTooLongError`` (400) to PutObject, CopyObject, CreateMultipartUpload
    and a POST upload whose key is over 1,024 bytes in UTF-8; code that made such keys worked locally only."""

    def put(original: Callable[..., Any]) -> Callable[..., Any]:
        def put_object(self: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
            check(key_name)
            return original(self, bucket_name, key_name, *args, **kwargs)

        return put_object

    def copy(original: Callable[..., Any]) -> Callable[..., Any]:
        def copy_object(self: Any, src_key: Any, dest_bucket_name: str, dest_key_name: str, *a: Any, **k: Any) -> Any:
            check(dest_key_name)
            return original(self, src_key, dest_bucket_name, dest_key_name, *a, **k)

        return copy_object

    def multipart(original: Callable[..., Any]) -> Callable[..., Any]:
        def create_multipart_upload(self: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
            check(key_name)
            return original(self, bucket_name, key_name, *args, **kwargs)

        return create_multipart_upload

    patch.replace(s3_models.S3Backend, "put_object", put)
    patch.replace(s3_models.S3Backend, "copy_object", copy)
    patch.replace(s3_models.S3Backend, "create_multipart_upload", multipart)
