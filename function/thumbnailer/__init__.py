"""Thumbnails for S3 changes: the parts behind ``app.handler`` (and ``app.url_handler``, thumbnails on request).

Three packages, and the modules that join them:

- ``picture/``: the picture core, bytes in, thumbnails out; it imports nothing from AWS or the database
  (tests/function/test_layout.py keeps it so)
- ``aws/``: everything that knows a service: the event shapes in, each caller's response out, S3, metrics, logs
- ``catalogue/``: everything that knows the database (imported only when the catalogue is on)
- ``pipeline``: each change reconciled with the object as it is now (render, or remove), and the results
- ``ondemand``: a variant asked for through the function URL: checked, rendered by the pipeline's code, stored,
  answered
- ``settings``: the configuration, read once into a frozen dataclass
- ``keys``: where each thumbnail is written
- ``errors``: what is worth trying again (``TransientFailure``) and what never will be (``PermanentFailure``)
"""
