"""A local AWS endpoint: moto's server, with the Lambda execution seam installed."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

from . import access, enforce, seam
from .access import AccessRecord
from .asyncinvoke import ASYNC_WORKERS, AsyncInvoker
from .chaos import Chaos
from .chaos import Server as ChaosServer
from .functionurls import FunctionUrls
from .origins import Origins
from .runtime import ACCOUNT_CONCURRENCY, IDLE_SECONDS, Runtime
from .sessions import Sessions
from .sqspoller import SqsPoller

log = logging.getLogger("localaws")


def default_work_root() -> str | None:
    """Where localaws makes its work directory: /var/tmp, outside the /tmp a function's own /tmp hides
    (tmpdisk.py); the system's temporary directory where /var/tmp is not writable."""
    return "/var/tmp" if os.access("/var/tmp", os.W_OK) else None


class LocalAWS:
    """``with LocalAWS(port=0) as aws: aws.endpoint_url`` -- moto on 127.0.0.1, executing Lambda functions."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 4566,
        work_dir: Path | None = None,
        retry_delay: float = 1.0,
        *,
        concurrency: int = ACCOUNT_CONCURRENCY,
        async_workers: int = ASYNC_WORKERS,
        idle_seconds: float = IDLE_SECONDS,
        hot_reload: dict[str, Path] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self._own_work_dir = work_dir is None
        self.work_dir = Path(work_dir or tempfile.mkdtemp(prefix="localaws-", dir=default_work_root()))
        self.retry_delay = retry_delay
        self.async_workers = async_workers
        self._runtime_options = {"concurrency": concurrency, "idle_seconds": idle_seconds, "hot_reload": hot_reload}
        self._server: ChaosServer | None = None
        self.invoker: AsyncInvoker | None = None
        self.poller: SqsPoller | None = None
        self.runtime: Runtime | None = None
        self.function_urls: FunctionUrls | None = None
        self.sessions = Sessions()  # the functions' role sessions: requests signed with them are authorised
        self.access = AccessRecord(self.work_dir / access.FILE_NAME)
        self.chaos = Chaos()  # the rules and effects of /_localaws/chaos (chaos.py)

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LocalAWS:
        self._server = ChaosServer(self.chaos, ip_address=self.host, port=self.port)
        self._server.start()
        origins = Origins()  # CloudFront's origin keys: function URLs and S3 judge requests signed with them
        enforcer = enforce.Enforcer(self.sessions, self.access, origins)
        self.port = self._server.get_host_and_port()[1]
        self.runtime = runtime = Runtime(
            self.work_dir,
            self.endpoint_url,
            sessions=self.sessions,
            deliver_logs=enforcer.deliver_logs,
            **self._runtime_options,  # type: ignore[arg-type]
        )
        runtime.chaos = self.chaos
        self.invoker = AsyncInvoker(
            runtime.execute, retry_delay=self.retry_delay, workers=self.async_workers, may_send=enforcer.may_send
        )
        self.function_urls = FunctionUrls(runtime.execute, self.host, self.sessions, origins)
        seam.install(runtime, self.invoker, enforcer.authorize, self.function_urls)
        self.poller = SqsPoller(runtime.execute)
        self.poller.start()
        return self

    def stop(self, drain_seconds: float = 5.0) -> None:
        if self.poller is not None:
            self.poller.stop()
            self.poller = None
        if self.invoker is not None:
            self.invoker.wait_idle(drain_seconds)
            self.invoker.shutdown()
        if self._server is not None:
            self._server.stop()
            self._server = None
        seam.uninstall()
        if self.function_urls is not None:
            self.function_urls.close_all()
            self.function_urls = None
        if self.runtime is not None:
            self.runtime.close()
            self.runtime = None
        if self._own_work_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def __enter__(self) -> LocalAWS:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
