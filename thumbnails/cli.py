"""The ``thumbnails`` command line: ``thumbnails <backfill|reconcile|redrive|status> --function NAME``.

Standard AWS credentials, region and ``AWS_ENDPOINT_URL``. A human summary on stdout (``--json``: one JSON object);
progress on stderr (a bar on a terminal, one line a stage otherwise). Exit status 0 when all is in line, 1 when
failures were found (failed tasks, a failed or cancelled job, an AWS error), 2 for a usage error (arguments, or a
function that lacks what the command needs).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from botocore.exceptions import BotoCoreError, ClientError

from . import backfill, reconcile, redrive, status
from .clients import Clients
from .deployment import Deployment, DeploymentError
from .output import Progress

COMMANDS = {"backfill": backfill.run, "reconcile": reconcile.run, "redrive": redrive.run, "status": status.run}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="thumbnails",
        description="Bring a bucket in line with the thumbnails function's configuration, on S3 Batch Operations.",
    )
    commands = top.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--function", required=True, help="name (or ARN) of the function the module deployed")
    common.add_argument("--region", help="the function's region (default: the AWS CLI's)")
    common.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    common.add_argument("--poll-seconds", type=float, default=5.0, help=argparse.SUPPRESS)
    run = commands.add_parser("backfill", parents=[common], help="make the thumbnails of every source object")
    run.add_argument("--prefix", help="only the sources under this prefix (inside the watched prefix)")
    run.add_argument(
        "--inventory", help="s3://.../manifest.json of the bucket's S3 Inventory (CSV) instead of a listing"
    )
    run.add_argument("--resume", metavar="JOB_ID", help="the tasks a cancelled or failed job had not done")
    run.add_argument("--dry-run", action="store_true", help="say what would be done, do nothing")
    fix = commands.add_parser("reconcile", parents=[common], help="make missing sizes, remove retired and orphan ones")
    fix.add_argument("--dry-run", action="store_true", help="list what would change, change nothing")
    commands.add_parser("status", parents=[common], help="configuration, thumbnails per size, last jobs")
    commands.add_parser(
        "redrive",
        parents=[common],
        help="process again what waits in the dead-letter queue or on-failure destination, and remove it",
    )
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "inventory", None) and not str(args.inventory).startswith("s3://"):
        parser().error("--inventory must be an s3:// URI of an inventory's manifest.json")
    if getattr(args, "resume", None) and (args.prefix or args.inventory):
        parser().error("--resume takes the old job's manifest: give no --prefix or --inventory with it")
    progress = Progress(sys.stderr)
    try:
        clients = Clients.make(args.region)
        deployment = Deployment.read(clients("lambda"), args.function)
        return COMMANDS[args.command](args, clients, deployment, progress)
    except (DeploymentError, ValueError) as exc:
        progress.close()
        print(f"thumbnails: {exc}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as exc:
        progress.close()
        print(f"thumbnails: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        progress.close()
        print(
            "thumbnails: interrupted; a job already created keeps running (thumbnails status shows it; cancel it with "
            "aws s3control update-job-status --requested-job-status Cancelled, and resume it with "
            "thumbnails backfill --resume JOB_ID)",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
