"""``thumbnails``: bring a bucket in line with the deployed function's configuration, on S3 Batch Operations.

Every subcommand takes ``--function NAME`` and learns the rest from what the module deployed (``deployment.py``):

- ``backfill`` -- every source object under the watched prefix and suffixes gets its thumbnails (``backfill.py``);
- ``reconcile`` -- missing sizes made, retired sizes and orphans removed, catalogue rows rewritten
  (``reconcile.py``);
- ``status`` -- what the function does, what the buckets hold, the last jobs (``status.py``).

Jobs are created and followed by ``jobs.py``; manifests are streamed into S3 by ``manifests.py``; completion
reports are read by ``reports.py``; the terminal output (a progress bar on a terminal, one line a stage otherwise,
``--json``) is ``output.py``.
"""
