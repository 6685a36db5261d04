"""Thumbnails for S3 changes: the parts behind ``app.handler``.

- ``events``: every event shape (S3, SQS, SNS, EventBridge, Batch Operations) -> the ``Change`` objects it names
- ``pipeline``: each change reconciled with the object as it is now (render, or remove), and the results
- ``responses``: each caller's response (summary, partial batch, Batch Operations results)
- ``imaging``: image bytes -> thumbnails (Pillow only, no AWS)
- ``storage``: S3 look-ups, downloads, uploads and removals; transient vs. final failures
- ``keys``: where each thumbnail is written
- ``settings`` / ``logs``: configuration and one-JSON-line-per-record logging
"""
