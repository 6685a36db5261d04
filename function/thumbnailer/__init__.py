"""Thumbnails for S3 uploads: the parts behind ``app.handler``.

- ``events``: S3 notifications -> the objects they name
- ``imaging``: image bytes -> thumbnails (Pillow only, no AWS)
- ``storage``: S3 downloads and uploads, transient vs. final failures
- ``keys``: where each thumbnail is written
- ``pipeline``: one record from download to upload, and the summary of an event
- ``settings`` / ``logs``: configuration and one-JSON-line-per-record logging
"""
