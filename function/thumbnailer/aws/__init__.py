"""Everything that knows a service: the function's way in and out, and its calls to S3.

- ``events``: every event shape (S3, SQS, SNS, EventBridge, Batch Operations) -> the ``Change`` objects it names
- ``responses``: each caller's response (summary, partial batch, Batch Operations results), typed
- ``storage``: S3 look-ups, downloads, uploads and removals; transient vs. permanent failures
- ``metrics``: CloudWatch metrics in the log lines (the embedded metric format)
- ``logs``: one JSON line per record, written by Lambda's runtime or by this package
- ``cdn``: CloudFront invalidations of what it cached of a changed source (on_demand.invalidate)
- ``urls``: a function URL's request in (payload 2.0), its response out: the on-demand path's only HTTP

Nothing here imports the catalogue (tests/function/test_layout.py).
"""
