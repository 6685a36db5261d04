"""localaws: moto's AWS endpoint that also *executes* Lambda functions, with no Docker.

moto is the AWS: S3, IAM, Logs, SQS and Lambda's API, and it already delivers S3 notifications and Invoke calls to
its Lambda backend. The only step replaced is execution (Docker, in moto), through a small seam (``seam.py``):

- ``runtime.py`` runs the function's deployed ZIP and its layers in a subprocess of the local Python;
- ``asyncinvoke.py`` gives asynchronous invocations (S3 notifications, ``Event``) Lambda's retries, maximum event
  age and on-failure destination.
"""
