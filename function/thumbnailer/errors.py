"""Every error the function raises on purpose, in one place: what is worth trying again, and what never will be.

The pipeline turns each change's failure into an outcome by these classes alone (pipeline.py), and each caller's
response follows from the outcome (aws/responses.py):

- ``TransientFailure``: trying again later can succeed (throttling, 5xx, timeouts, an unreachable catalogue). The
  event is retried: raised as ``RetryableError`` after every record was tried, or named in SQS's partial batch, or
  a Batch Operations ``TemporaryFailure``.
- ``PermanentFailure``: trying again cannot help (the object is gone, access denied, too large; ``ImageRejected``:
  not a picture this function can thumbnail). Logged, counted as a refusal and let go.
- ``ValueError``s that describe input or configuration no retry can fix: ``ConfigError`` (a bad setting),
  ``UnsupportedEvent`` (a whole event of a shape this function does not take), ``MalformedRecord`` (one record
  that names no S3 object), ``CredentialsError`` (a database login that cannot be used).

Standard library only: the picture core (picture/) raises ``ImageRejected`` without knowing anything of AWS.
"""

from __future__ import annotations

__all__ = [
    "CatalogueUnavailable",
    "ConfigError",
    "CredentialsError",
    "ImageRejected",
    "MalformedRecord",
    "PermanentFailure",
    "RetryableError",
    "ThumbnailerError",
    "TransientFailure",
    "UnsupportedEvent",
]


class ThumbnailerError(Exception):
    """Every error this package raises on purpose (anything else is a bug, caught per record by the pipeline)."""


class TransientFailure(ThumbnailerError):
    """Trying again later can succeed (throttling, 5xx, timeouts)."""


class PermanentFailure(ThumbnailerError):
    """Trying again cannot help (object gone, access denied, too large for /tmp)."""


class ImageRejected(PermanentFailure):
    """The input can never become a thumbnail (not an image, corrupt, too large, unsupported)."""


class CatalogueUnavailable(TransientFailure):
    """The catalogue could not be written; the event is retried (thumbnails already written stay)."""


class RetryableError(ThumbnailerError):
    """Raised after every record was tried, when some failed transiently: the caller's retry runs the event
    again, and running it again is idempotent (same keys, same bytes). Its name is the ``errorType`` Lambda
    reports (and the on-failure destination records)."""


class ConfigError(ThumbnailerError, ValueError):
    """A configuration variable is missing or has a value the function cannot use."""


class UnsupportedEvent(ThumbnailerError, ValueError):
    """An event this function cannot have been meant to receive; the message names what arrived."""


class MalformedRecord(ThumbnailerError, ValueError):
    """A record or message that does not describe an S3 object."""


class CredentialsError(ThumbnailerError, ValueError):
    """The secret (or the DB_* variables) cannot be used: not JSON, a key missing, a port that is no number."""
