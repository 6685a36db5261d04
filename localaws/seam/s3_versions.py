"""Seam items 11 and 12: delete markers notified and removable, as on S3."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.s3 import models as s3_models
from moto.s3 import notifications as s3_notifications
from moto.s3 import utils as s3_utils

from . import patch

DELETE_MARKER_CREATED = s3_notifications.S3NotificationEvent.OBJECT_REMOVED_DELETE_MARKER_CREATED_EVENT


def notify_delete_markers() -> None:
    """``moto.s3.models.S3Backend.delete_object`` -- wrapped so a delete that leaves a delete marker (a versioned
    bucket, no version named) sends ``s3:ObjectRemoved:DeleteMarkerCreated`` (and EventBridge's "Object Deleted",
    ``deletion-type`` "Delete Marker Created"), as S3 does. moto sends nothing then, so a versioned source's
    thumbnails were never removed locally."""

    def notifying(original: Callable[..., Any]) -> Callable[..., Any]:
        def delete_object(
            self: Any, bucket_name: str, key_name: str, version_id: str | None = None, bypass: bool = False
        ) -> tuple[bool, dict[str, Any]]:
            deleted, meta = original(self, bucket_name, key_name, version_id, bypass)
            if deleted and version_id is None and meta.get("delete-marker") == "true":
                bucket = self.get_bucket(bucket_name)
                marker = bucket.keys.getlist(key_name)[-1]
                s3_notifications.send_event(self.account_id, DELETE_MARKER_CREATED, bucket, marker)
            return deleted, meta

        return delete_object

    patch.replace(s3_models.S3Backend, "delete_object", notifying)


def remove_keys_with_delete_markers() -> None:
    """``moto.s3.utils._VersionedKeyStore.pop`` -- moto disposes of every version of a key it removes, and a delete
    marker has no ``dispose``: deleting a key whose versions include a delete marker, once versioning is suspended
    (as ``terraform destroy`` does before it empties the bucket), answered 500, and the provider retried forever.
    Versions without ``dispose`` are skipped."""

    def pop_versions(self: Any, key: str) -> None:
        for version in self.getlist(key, []):
            if hasattr(version, "dispose"):  # a delete marker holds no data to dispose of
                version.dispose()
        dict.pop(self, key)

    patch.replace(s3_utils._VersionedKeyStore, "pop", lambda _original: pop_versions)
