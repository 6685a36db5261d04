"""What the module deployed, read from the function alone: its environment (the settings the function runs with,
and ``SOURCE_BUCKET``, ``SOURCE_PREFIX``, ``SOURCE_SUFFIXES``: what its trigger watches) and its tags (the Batch
Operations role and where its manifests and reports go: ``thumbnails:batch-operations-role`` and
``thumbnails:batch-operations-location``, set by ``batch_operations``)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

ROLE_TAG = "thumbnails:batch-operations-role"
LOCATION_TAG = "thumbnails:batch-operations-location"
SIZE = re.compile(r"^[0-9]+(x[0-9]+)?$")


class DeploymentError(Exception):
    """The function is not one this module deployed, or lacks what the command needs; the message says what to
    set."""


@dataclass(frozen=True)
class Deployment:
    function_name: str
    function_arn: str
    region: str
    account_id: str
    source_bucket: str
    source_prefix: str
    source_suffixes: tuple[str, ...]  # empty: any key
    destination_bucket: str
    destination_prefix: str
    sizes: tuple[str, ...]
    output_format: str
    output_formats: tuple[str, ...]  # every size in each; empty: output_format alone
    delete_thumbnails: bool
    source_metadata: bool
    catalogue: str | None  # the catalogue's table, None when off
    source_owner: str | None
    destination_owner: str | None
    role_arn: str | None
    location: str | None  # s3://bucket/prefix of the manifests and reports
    # on_demand's presets' sizes and formats: variants made on request, kept by reconcile while their source is
    on_demand_sizes: tuple[str, ...] = ()
    on_demand_formats: tuple[str, ...] = ()

    @classmethod
    def read(cls, lambda_client: Any, name: str) -> Deployment:
        try:
            config = lambda_client.get_function_configuration(FunctionName=name)
        except lambda_client.exceptions.ResourceNotFoundException:
            raise DeploymentError(f"There is no function {name!r} in this account and region.") from None
        env = (config.get("Environment") or {}).get("Variables") or {}
        missing = [v for v in ("DESTINATION_BUCKET", "SOURCE_BUCKET") if not env.get(v)]
        if missing:
            raise DeploymentError(
                f"{name} has no {' or '.join(missing)} in its environment: it was not deployed by this module "
                "(or by a version older than the thumbnails command; apply the module again)."
            )
        arn = config["FunctionArn"]
        tags = lambda_client.list_tags(Resource=arn).get("Tags") or {}
        _, _, _, region, account, *_ = arn.split(":")
        return cls(
            function_name=config["FunctionName"],
            function_arn=arn,
            region=region,
            account_id=account,
            source_bucket=env["SOURCE_BUCKET"],
            source_prefix=env.get("SOURCE_PREFIX", ""),
            source_suffixes=tuple(s for s in env.get("SOURCE_SUFFIXES", "").split(",") if s),
            destination_bucket=env["DESTINATION_BUCKET"],
            destination_prefix=env.get("DESTINATION_PREFIX", "thumbnails/"),
            sizes=tuple(s.strip() for s in env.get("THUMBNAIL_SIZES", "256").split(",") if s.strip()),
            output_format=env.get("OUTPUT_FORMAT", "auto"),
            output_formats=tuple(f.strip() for f in env.get("OUTPUT_FORMATS", "").split(",") if f.strip()),
            delete_thumbnails=env.get("DELETE_THUMBNAILS", "true").lower() == "true",
            source_metadata=env.get("SOURCE_METADATA", "true").lower() == "true",
            catalogue=(env.get("DATABASE_TABLE") or "thumbnails") if env.get("DATABASE_SECRET_ARN") else None,
            source_owner=env.get("SOURCE_BUCKET_OWNER") or None,
            destination_owner=env.get("DESTINATION_BUCKET_OWNER") or None,
            role_arn=tags.get(ROLE_TAG),
            location=tags.get(LOCATION_TAG),
            on_demand_sizes=tuple(
                dict.fromkeys(
                    p.partition("=")[2].strip() for p in env.get("ON_DEMAND_PRESETS", "").split(",") if "=" in p
                )
            ),
            on_demand_formats=tuple(f.strip() for f in env.get("ON_DEMAND_FORMATS", "").split(",") if f.strip()),
        )

    def batch_location(self) -> tuple[str, str]:
        """The bucket and prefix of the manifests and reports; a DeploymentError when batch_operations is off."""
        if not self.role_arn or not self.location:
            raise DeploymentError(
                f"{self.function_name} has no Batch Operations role: set batch_operations = {{}} on the module "
                f"(its tags {ROLE_TAG} and {LOCATION_TAG} name the role and where the manifests go)."
            )
        bucket, _, prefix = self.location.removeprefix("s3://").partition("/")
        return bucket, prefix

    def watches(self, key: str) -> bool:
        """The trigger would fire for ``key`` (S3's prefix and suffix filters, case-sensitive)."""
        if not key.startswith(self.source_prefix) or key.endswith("/"):
            return False
        if self.source_bucket == self.destination_bucket and key.startswith(self.destination_prefix):
            return False
        return not self.source_suffixes or key.endswith(self.source_suffixes)

    def made_by_us(self, metadata: dict[str, str], source_key: str) -> bool:
        """A thumbnail's metadata proves the module wrote it for ``source_key`` (named, or by digest)."""
        named = metadata.get("source-bucket") == self.source_bucket and metadata.get("source-key") == quote(
            source_key, safe="/"
        )
        digest = hashlib.sha256(f"{self.source_bucket}/{source_key}".encode()).hexdigest()[:32]
        return named or metadata.get("source-digest") == digest
