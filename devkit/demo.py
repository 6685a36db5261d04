"""``make demo``: the whole pipeline on this machine -- no AWS account, no Docker.

Starts localaws, applies examples/complete against it, uploads sample pictures (made by devkit/images.py, seeded)
with the AWS CLI, waits for the thumbnails, prints them as a table and writes a contact sheet, runs the classic
``aws lambda invoke`` flow, then destroys the stack and stops the endpoint. Everything it writes goes under
build/demo/; Terraform's full output goes to build/demo/terraform.log, the screen shows its summaries.

``make demo KEEP=1`` leaves the stack applied and the endpoint running, and prints what to try next; with
``HOT_RELOAD=1`` too, localaws runs the function from function/ itself (its hot reload), so an edit there is tried
on the next upload without an apply.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pillow_heif
from PIL import Image, ImageDraw, ImageOps

from devkit import awscli
from devkit.endpoint import localaws, wait_for
from devkit.images import samples
from devkit.stack import ROOT, local_stack
from devkit.terraform import environment as terraform_environment

OUT = ROOT / "build" / "demo"
IMAGES = OUT / "images"  # made by devkit/images.py on each run: seeded, so the same pictures every time
STEPS = 7


class DemoFailed(Exception):
    pass


_current = ["setting up"]


def step(number: int, text: str) -> None:
    _current[0] = f"step {number}/{STEPS} ({text})"
    print(f"\n\033[1m==> [{number}/{STEPS}] {text}\033[0m", flush=True)


LOG = OUT / "terraform.log"
# The lines of Terraform's output worth a screen: what a plan, an apply or a destroy came to, and errors.
SUMMARY = re.compile(r"^(Plan:|Apply complete!|Destroy complete!|No changes\.|Terraform has been successfully|Error)")


def run(command: list[str], summary: bool = False, **kw) -> subprocess.CompletedProcess:
    """Run a command, its output shown indented; a failure names the command.

    With ``summary``, the whole output goes to the log and the screen shows only the summary lines (and, on a
    failure, the last lines, with the log's name).
    """
    print("    $ " + " ".join(command), flush=True)
    done = subprocess.run(command, capture_output=True, text=True, **kw)
    lines = (done.stdout + done.stderr).splitlines()
    if summary:
        with LOG.open("a") as log:
            log.write(f"$ {' '.join(command)}\n" + "\n".join(lines) + "\n\n")
        shown = [line for line in lines if SUMMARY.match(line.strip())]
        if done.returncode != 0:
            shown += ["…", *lines[-15:]]
        lines = shown + [f"(full output: {LOG})"]
    for line in lines:
        print("      " + line)
    if done.returncode != 0:
        raise DemoFailed(f"{' '.join(command[:3])} … exited with {done.returncode}")
    return done


def contact_sheet(rows: list[tuple[str, str, Image.Image]], path: Path) -> None:
    cell, pad, label = 256, 12, 28
    columns = 4
    lines = (len(rows) + columns - 1) // columns
    sheet = Image.new("RGB", (columns * (cell + pad) + pad, lines * (cell + pad + label) + pad), "white")
    draw = ImageDraw.Draw(sheet)
    for i, (name, size, im) in enumerate(rows):
        x = pad + (i % columns) * (cell + pad)
        y = pad + (i // columns) * (cell + pad + label)
        shown = im.convert("RGBA")
        shown.thumbnail((cell, cell))
        sheet.paste(shown, (x + (cell - shown.width) // 2, y + (cell - shown.height) // 2), shown)
        draw.text((x, y + cell + 6), f"{name} @{size}: {im.width}x{im.height}", fill="black")
    sheet.save(path)


def explore(endpoint: str, stack: Path, outputs: dict, aws: str) -> None:
    """KEEP=1: what is left running, and what to try next."""
    function, source = outputs["function_name"], outputs["source_bucket"]
    print(f"""
\033[1mKept:\033[0m the stack is applied and localaws is serving at {endpoint}. Try:

    export AWS_ENDPOINT_URL={endpoint} AWS_ACCESS_KEY_ID=localaws AWS_SECRET_ACCESS_KEY=localaws \\
           AWS_DEFAULT_REGION=us-east-1
    {aws} s3 cp {IMAGES / "lake.webp"} "s3://{source}/uploads/my lake.webp"
    {aws} s3 ls --recursive s3://{outputs["destination_bucket"]}/thumbnails/
    {aws} logs tail /aws/lambda/{function}
    {aws} s3 rm "s3://{source}/uploads/my lake.webp"    # and its thumbnails go too

With `make demo KEEP=1 HOT_RELOAD=1`, localaws runs the function from function/ itself: edit a file there and
upload again, no apply needed (a development aid: `terraform apply` deploys what a release runs).

When you are done:

    terraform -chdir={stack} destroy -auto-approve   # with TF_CLI_CONFIG_FILE={
        terraform_environment().get("TF_CLI_CONFIG_FILE", "")
    }
    kill $(cat {OUT / "localaws.pid"})
""")


def demo(keep: bool = False, hot_reload: bool = False) -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    samples(IMAGES)
    aws = awscli.find()
    tf_env = {**os.environ, **terraform_environment()}
    step(1, "starting the local AWS (localaws: moto + Lambda execution without Docker)")
    options = ["--quiet", *(["--hot-reload", f"*={ROOT / 'function'}"] if hot_reload else [])]
    with localaws(OUT / "localaws.log", *options, keep=keep, pid_file=OUT / "localaws.pid") as endpoint:
        print(f"    localaws is serving AWS at {endpoint} (log: {OUT / 'localaws.log'})")
        stack = local_stack(OUT / "module", endpoint)
        cli_env = awscli.environment(endpoint)
        # A low multipart threshold, so the CLI uploads the largest sample in parts, as it does big files.
        (OUT / "aws-config").write_text("[default]\ns3 =\n  multipart_threshold = 1MB\n")
        cli_env["AWS_CONFIG_FILE"] = str(OUT / "aws-config")
        applied = False
        try:
            step(2, f"terraform init + apply of examples/complete (copied to {stack})")
            run(["terraform", "init", "-input=false", "-no-color"], summary=True, cwd=stack, env=tf_env)
            run(
                ["terraform", "apply", "-input=false", "-auto-approve", "-no-color"],
                summary=True,
                cwd=stack,
                env=tf_env,
            )
            applied = True
            outputs = {
                k: v["value"]
                for k, v in json.loads(
                    run(["terraform", "output", "-json"], summary=True, cwd=stack, env=tf_env).stdout
                ).items()
            }
            source, destination = outputs["source_bucket"], outputs["destination_bucket"]
            sizes = ["1024", "256", "128x128"]

            step(3, "uploading the sample images with the AWS CLI")
            run(
                [
                    aws,
                    "s3",
                    "cp",
                    str(IMAGES),
                    f"s3://{source}/uploads/",
                    "--recursive",
                    "--no-progress",
                    "--endpoint-url",
                    endpoint,
                ],
                env=cli_env,
            )

            step(4, "waiting for the thumbnails, then downloading them")
            s3 = boto3.client(
                "s3",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="localaws",
                aws_secret_access_key="localaws",
            )
            expected = []
            # The extension a thumbnail gains when its format is not the source's: an animated GIF stays animated
            # as WebP, a HEIC becomes a JPEG (output_format auto).
            gained = {".gif": ".webp", ".heic": ".jpg"}
            for path in sorted(IMAGES.iterdir()):
                suffix = gained.get(path.suffix.lower(), "")
                expected += [(path, size, f"thumbnails/{size}/uploads/{path.name}{suffix}") for size in sizes]

            def listed() -> set[str]:
                found = s3.list_objects_v2(Bucket=destination, Prefix="thumbnails/").get("Contents", [])
                keys = {o["Key"] for o in found}
                return keys if all(k in keys for _, _, k in expected) else set()

            wait_for(listed, 120, "every thumbnail")
            rows: list[tuple[str, str, Image.Image]] = []
            pillow_heif.register_heif_opener()  # to read the HEIC sample's own size here
            print(f"\n    {'source':<22}{'source size':>13}{'thumbnail':>11}{'dimensions':>13}{'bytes':>10}")
            for path, size, key in expected:
                data = s3.get_object(Bucket=destination, Key=key)["Body"].read()
                (OUT / "thumbnails" / str(size)).mkdir(parents=True, exist_ok=True)
                (OUT / "thumbnails" / str(size) / Path(key).name).write_bytes(data)
                im = Image.open(io.BytesIO(data))
                with Image.open(path) as original:
                    upright = ImageOps.exif_transpose(original)  # as a viewer shows it
                    source_size = f"{upright.width}x{upright.height}"
                print(f"    {path.name:<22}{source_size:>13}{size:>11}{f'{im.width}x{im.height}':>13}{len(data):>10}")
                rows.append((path.name, size, im))
            contact_sheet(
                [r for size in ("128x128", "256", "1024") for r in rows if r[1] == size], OUT / "contact-sheet.png"
            )
            print(f"\n    contact sheet: {OUT / 'contact-sheet.png'}; thumbnails: {OUT / 'thumbnails'}")

            step(5, "the classic flow: aws lambda invoke with an S3 Put event")
            s3.upload_file(str(IMAGES / "mountains.jpg"), source, "uploads/example.jpg")
            (OUT / "dummyS3Event.json").write_text(outputs["test_event"])
            run(
                [
                    aws,
                    "lambda",
                    "invoke",
                    "--function-name",
                    outputs["function_name"],
                    "--invocation-type",
                    "RequestResponse",
                    "--cli-binary-format",
                    "raw-in-base64-out",
                    "--payload",
                    "file://dummyS3Event.json",
                    "out.json",
                    "--endpoint-url",
                    endpoint,
                ],
                cwd=OUT,
                env=cli_env,
            )
            print("    out.json: " + (OUT / "out.json").read_text())
            if json.loads((OUT / "out.json").read_text()).get("failed"):
                raise DemoFailed("the invocation reported failed records")
            if keep:
                explore(endpoint, stack, outputs, aws)
        finally:
            if applied and not keep:
                step(6, "terraform destroy")
                run(
                    ["terraform", "destroy", "-input=false", "-auto-approve", "-no-color"],
                    summary=True,
                    cwd=stack,
                    env=tf_env,
                )
        if keep:
            return
        step(7, "stopping the local AWS")
    print(
        f"\n\033[1mDone.\033[0m Thumbnails made by the real pipeline are in {OUT / 'thumbnails'}; "
        f"look at {OUT / 'contact-sheet.png'}."
    )


def _set(variable: str) -> bool:
    return os.environ.get(variable, "") not in ("", "0")


def main() -> int:
    try:
        demo(keep=_set("KEEP"), hot_reload=_set("HOT_RELOAD"))
    except (DemoFailed, FileNotFoundError, RuntimeError, TimeoutError) as exc:
        print(f"\n\033[31mdemo failed at {_current[0]}: {exc}\033[0m", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
