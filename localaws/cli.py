"""``localaws --port PORT``: serve the local AWS on 127.0.0.1 until Ctrl-C or SIGTERM.

``localaws terraform ARGS``: run Terraform with the AWS provider pointed at it (terraform.py).

``localaws chaos ...``: set and list a running localaws's chaos rules and effects (chaoscli.py, chaos.py)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    if given[:1] == ["terraform"]:  # localaws terraform ARGS: Terraform pointed at the running localaws
        from .terraform import main as terraform

        return terraform(given[1:])
    if given[:1] == ["chaos"]:  # localaws chaos ...: the running localaws's fault rules and latency
        from .chaoscli import main as chaos

        return chaos(given[1:])
    from .serve import main as serve  # moto and the runtime: imported only to serve

    return serve(given)


if __name__ == "__main__":
    sys.exit(main())
