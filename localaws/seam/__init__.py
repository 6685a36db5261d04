"""The seam between moto and our execution: these functions of moto's are replaced, nothing else.

Each item is one small function named for the gap it fills, in a module per service, with its reason in its
docstring; ``tests/localaws/seam/test_<module>.py`` pins the moto code it replaces against the pinned moto version
and fails when moto closes the gap itself. ``install`` lists them; ``uninstall`` puts moto's own back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..asyncinvoke import AsyncInvoker
from ..functionurls import FunctionUrls
from ..runtime import Runtime
from . import (
    authorization,
    cloudcontrol,
    cloudfront,
    control,
    eventbridge,
    lambda_configuration,
    lambda_invoke,
    lambda_urls,
    patch,
    s3_keys,
    s3_listing,
    s3_notifications,
    s3_ownership,
    s3_versions,
    s3control,
    sns,
    sqs,
)


def install(
    runtime: Runtime,
    invoker: AsyncInvoker,
    authorize: Callable[[Any, str], None],
    function_urls: FunctionUrls | None = None,
) -> None:
    """``function_urls``: where function URLs are served (None: listeners on 127.0.0.1 that run ``runtime``)."""
    if patch.replaced():
        raise RuntimeError("the localaws seam is already installed")
    lambda_invoke.run_invocations_here(runtime, invoker)  # 1
    s3_notifications.queue_notifications_to_lambda(invoker)  # 2
    s3_notifications.complete_notification_records()  # 3
    sns.invoke_subscribers_asynchronously(invoker)  # 4
    sqs.leave_queue_delivery_to_the_poller()  # 5
    eventbridge.send_s3_events_as_s3_does()  # 6
    eventbridge.invoke_lambda_targets(invoker)  # 7
    s3_listing.url_encode_object_versions()  # 8
    s3_ownership.check_expected_bucket_owner()  # 9
    sqs.compact_redrive_policy()  # 10
    s3_versions.notify_delete_markers()  # 11
    s3_versions.remove_keys_with_delete_markers()  # 12
    lambda_configuration.keep_logging_config_and_storage_updates()  # 13
    s3_notifications.complete_test_events()  # 14
    s3control.serve_batch_operations_jobs(runtime)  # 15
    s3_notifications.refuse_overlapping_rules()  # 16
    authorization.authorize_role_sessions(authorize)  # 17
    authorization.leave_bucket_policies_to_localaws()  # 18
    cloudcontrol.serve_bucket_reads()  # 19
    urls = function_urls or FunctionUrls(lambda fn, payload: runtime.execute(fn, payload))
    lambda_urls.serve_function_urls(urls)  # 20
    lambda_urls.answer_url_configs_as_lambda_does()  # 21
    lambda_urls.write_function_url_conditions()  # 22
    control.serve_localaws_paths(urls.origins)  # 23
    cloudfront.serve_functions_and_policies()  # 24
    cloudfront.keep_distribution_settings()  # 25
    s3_keys.refuse_keys_over_1024_bytes()  # 26


def uninstall() -> None:
    patch.restore()
