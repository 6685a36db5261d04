"""``make demo``: the whole pipeline on this machine -- no AWS account, no Docker.

Starts localaws, applies examples/complete against it, uploads sample pictures (made by devkit/images.py, seeded)
with the AWS CLI, waits for the thumbnails, prints them as a table and writes a contact sheet and a gallery page
(build/demo/gallery.html, devkit/gallery.py, with Chromium's screenshot of it, gallery.png), runs the classic
``aws lambda invoke`` flow, then destroys the stack and stops the endpoint. Everything it writes goes under
build/demo/; Terraform's full output goes to build/demo/terraform.log, the screen shows its summaries.

``make demo KEEP=1`` leaves the stack applied and the endpoint running, and prints what to try next; with
``HOT_RELOAD=1`` too, localaws runs the function from function/ itself (its hot reload), so an edit there is tried
on the next upload without an apply.

``make demo DATABASE=1`` switches the image catalogue on: it starts a private MariaDB (devkit/mariadb.py, under
build/demo/mariadb), makes the database and a user with only the privileges the function needs, keeps the login in
a secret on localaws, applies with ``database`` (``tls = "disable"``: the local server has no TLS), and prints each
picture's rows with the README's query.
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pillow_heif
import pymysql
from PIL import Image, ImageDraw, ImageOps

from devkit import awscli, gallery
from devkit.endpoint import client, localaws, wait_for
from devkit.images import samples
from devkit.mariadb import Server, private_server
from devkit.stack import ROOT, local_stack
from devkit.terraform import environment as terraform_environment

OUT = ROOT / "build" / "demo"
IMAGES = OUT / "images"  # made by devkit/images.py on each run: seeded, so the same pictures every time
STEPS = [7]  # 9 with the catalogue
DATABASE, DATABASE_USER = "thumbnails", "thumbnails"
# What the function does in its database, and nothing more: it creates and migrates its table (CREATE, ALTER),
# upserts rows (SELECT, INSERT, UPDATE) and deletes them with their picture (DELETE). GET_LOCK needs no privilege.
GRANTS = "SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER"


class DemoFailed(Exception):
    pass


_current = ["setting up"]


def step(number: int, text: str) -> None:
    _current[0] = f"step {number}/{STEPS[0]} ({text})"
    print(f"\n\033[1m==> [{number}/{STEPS[0]}] {text}\033[0m", flush=True)


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


def readme_query() -> str:
    """The README's catalogue query, with its bucket and key as parameters."""
    blocks = re.findall(r"```sql\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    queries = [b for b in blocks if re.search(r"^SELECT ", b, re.M)]
    if not queries:
        raise DemoFailed("README.md has no ```sql block with the catalogue's SELECT")
    query = "\n".join(line for line in queries[0].splitlines() if not line.startswith("--"))
    return re.sub(r"CONCAT\('[^']*', '/', '[^']*'\)", "CONCAT(%s, '/', %s)", query).strip().rstrip(";")


def catalogue(server: Server, client) -> tuple[str, str]:
    """The database, its user with the function's privileges only, and the login as a secret on localaws: the
    secret's ARN, and its password (for the demo's own query)."""
    password = secrets.token_urlsafe(18)
    with server.root() as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4")
        cursor.execute(f"CREATE USER '{DATABASE_USER}'@'%%' IDENTIFIED BY %s", (password,))
        cursor.execute(f"GRANT {GRANTS} ON `{DATABASE}`.* TO '{DATABASE_USER}'@'%'")
    login = {
        "host": server.host,
        "port": server.port,
        "username": DATABASE_USER,
        "password": password,
        "dbname": DATABASE,
    }
    arn = client.create_secret(Name="thumbnails-demo-database", SecretString=json.dumps(login))["ARN"]
    print(f"    MariaDB at {server.host}:{server.port} (socket {server.socket}), database `{DATABASE}`")
    print(f"    GRANT {GRANTS} ON `{DATABASE}`.* TO '{DATABASE_USER}'@'%'")
    shown = {**login, "password": "…"}
    print(f"    secret {arn}:\n      {json.dumps(shown, ensure_ascii=False)}")
    return arn, password


def print_rows(server: Server, password: str, bucket: str, keys: list[str], sizes: int) -> None:
    """Each picture's rows, with the README's query, as the function's own user."""
    query = readme_query()
    connection = pymysql.connect(
        host=server.host, port=server.port, user=DATABASE_USER, password=password, database=DATABASE
    )
    with connection, connection.cursor() as cursor:

        def rows(key: str) -> list[tuple]:
            connection.commit()  # a fresh snapshot each time
            try:
                cursor.execute(query, (bucket, key))
            except pymysql.err.ProgrammingError:  # the function has not made the table yet
                return []
            found = list(cursor.fetchall())
            return found if len(found) == sizes else []

        print(f"\n    {query}")
        for key in keys:
            found = wait_for(functools.partial(rows, key), 60, f"the rows of {key}")
            print(f"\n    {bucket}/{key}: {len(found)} rows")
            print(f"      {'size':<9}{'width':>6}{'height':>7}  blurhash")
            for size, width, height, _bucket, _key, blurhash in found:
                print(f"      {size:<9}{width:>6}{height:>7}  {blurhash}")


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


def try_commands(endpoint: str, outputs: dict, aws: str, images: Path = IMAGES) -> list[str]:
    """What KEEP=1 prints to try next, one shell line each, the first exporting what every other one needs.

    Each AWS CLI line names the endpoint itself (``--endpoint-url``): the CLI Debian packages is 2.9, which ignores
    ``AWS_ENDPOINT_URL`` (read from 2.13 on) and would send the command to AWS. tests/e2e/test_pipeline.py runs
    them as printed."""
    source, destination, function = outputs["source_bucket"], outputs["destination_bucket"], outputs["function_name"]
    cli = f"{aws} --endpoint-url {endpoint}"
    upload = shlex.quote(f"s3://{source}/uploads/my lake.webp")
    return [
        "export AWS_ACCESS_KEY_ID=localaws AWS_SECRET_ACCESS_KEY=localaws AWS_DEFAULT_REGION=us-east-1",
        f"{cli} s3 cp {shlex.quote(str(images / 'lake.webp'))} {upload}",
        f"{cli} s3 ls --recursive s3://{destination}/thumbnails/",
        f"{cli} logs tail /aws/lambda/{function}",
        f"{cli} s3 rm {upload}    # and its thumbnails go too",
    ]


def explore(endpoint: str, stack: Path, outputs: dict, aws: str) -> None:
    """KEEP=1: what is left running, and what to try next."""
    lines = "\n".join(f"    {line}" for line in try_commands(endpoint, outputs, aws))
    pid = OUT / "mariadb" / "mysqld.pid"
    mariadb = f"\n    kill $(cat {pid})   # the catalogue's MariaDB" if pid.is_file() else ""
    print(f"""
\033[1mKept:\033[0m the stack is applied and localaws is serving at {endpoint}. Try:

{lines}

With `make demo KEEP=1 HOT_RELOAD=1`, localaws runs the function from function/ itself: edit a file there and
upload again, no apply needed (a development aid: `terraform apply` deploys what a release runs).

When you are done:

    terraform -chdir={stack} destroy -auto-approve   # with TF_CLI_CONFIG_FILE={
        terraform_environment().get("TF_CLI_CONFIG_FILE", "")
    }
    kill $(cat {OUT / "localaws.pid"}){mariadb}
""")


def demo(keep: bool = False, hot_reload: bool = False, database: bool = False) -> None:
    STEPS[0] = 9 if database else 7
    number = itertools.count(1)
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    samples(IMAGES)
    aws = awscli.find()
    tf_env = {**os.environ, **terraform_environment()}
    step(next(number), "starting the local AWS (localaws: moto + Lambda execution without Docker)")
    options = ["--quiet", *(["--hot-reload", f"*={ROOT / 'function'}"] if hot_reload else [])]
    with (
        localaws(OUT / "localaws.log", *options, keep=keep, pid_file=OUT / "localaws.pid") as endpoint,
        contextlib.ExitStack() as mariadb,
    ):
        print(f"    localaws is serving AWS at {endpoint} (log: {OUT / 'localaws.log'})")
        stack = local_stack(OUT / "module", endpoint)
        cli_env = awscli.environment(endpoint)
        # A low multipart threshold, so the CLI uploads the largest sample in parts, as it does big files.
        (OUT / "aws-config").write_text("[default]\ns3 =\n  multipart_threshold = 1MB\n")
        cli_env["AWS_CONFIG_FILE"] = str(OUT / "aws-config")
        applied = False
        variables: list[str] = []
        try:
            if database:
                step(next(number), "the catalogue: a private MariaDB, its database and user, the login as a secret")
                server = mariadb.enter_context(private_server(OUT / "mariadb", keep=keep))
                secret_arn, password = catalogue(server, client(endpoint, "secretsmanager"))
                variables = ["-var", f"database_secret_arn={secret_arn}", "-var", "database_tls=disable"]
            step(next(number), f"terraform init + apply of examples/complete (copied to {stack})")
            run(["terraform", "init", "-input=false", "-no-color"], summary=True, cwd=stack, env=tf_env)
            run(
                ["terraform", "apply", "-input=false", "-auto-approve", "-no-color", *variables],
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

            step(next(number), "uploading the sample images with the AWS CLI")
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

            step(next(number), "waiting for the thumbnails, then downloading them")
            s3 = client(endpoint, "s3")
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
            entries: dict[str, gallery.Entry] = {}
            pillow_heif.register_heif_opener()  # to read the HEIC sample's own size here
            print(f"\n    {'source':<22}{'source size':>13}{'thumbnail':>11}{'dimensions':>13}{'bytes':>10}")
            for path, size, key in expected:
                response = s3.get_object(Bucket=destination, Key=key)
                data = response["Body"].read()
                (OUT / "thumbnails" / str(size)).mkdir(parents=True, exist_ok=True)
                (OUT / "thumbnails" / str(size) / Path(key).name).write_bytes(data)
                im = Image.open(io.BytesIO(data))
                with Image.open(path) as original:
                    upright = ImageOps.exif_transpose(original)  # as a viewer shows it
                    source_size = f"{upright.width}x{upright.height}"
                print(f"    {path.name:<22}{source_size:>13}{size:>11}{f'{im.width}x{im.height}':>13}{len(data):>10}")
                rows.append((path.name, size, im))
                entry = entries.setdefault(
                    path.name, gallery.Entry(path.name, source_size, response["Metadata"].get("blurhash", ""), [])
                )
                relative = f"thumbnails/{size}/{Path(key).name}"
                entry.thumbnails.append(
                    gallery.Thumbnail(size, relative, response["ContentType"], im.width, im.height, len(data))
                )
            contact_sheet(
                [r for size in ("128x128", "256", "1024") for r in rows if r[1] == size], OUT / "contact-sheet.png"
            )
            print(f"\n    contact sheet: {OUT / 'contact-sheet.png'}; thumbnails: {OUT / 'thumbnails'}")
            shown = list(entries.values())
            page = gallery.write(shown, OUT / "gallery.html", "make demo: the thumbnails on a page")
            gallery.photograph(page, OUT / "gallery.png", shown)
            print(
                f"    gallery: {page} (open it in a browser: xdg-open {page}); Chromium's view: {OUT / 'gallery.png'}"
            )

            if database:
                step(next(number), "the catalogue: each picture's rows, with the README's query")
                keys = [f"uploads/{path.name}" for path in sorted(IMAGES.iterdir())]
                print_rows(server, password, source, keys, len(sizes))

            step(next(number), "the classic flow: aws lambda invoke with an S3 Put event")
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
                step(next(number), "terraform destroy")
                run(
                    ["terraform", "destroy", "-input=false", "-auto-approve", "-no-color", *variables],
                    summary=True,
                    cwd=stack,
                    env=tf_env,
                )
        if keep:
            return
        step(next(number), "stopping the local AWS" + (" and MariaDB" if database else ""))
    print(
        f"\n\033[1mDone.\033[0m Thumbnails made by the real pipeline are in {OUT / 'thumbnails'}; "
        f"look at {OUT / 'contact-sheet.png'}, or open {OUT / 'gallery.html'} in a browser."
    )


def _set(variable: str) -> bool:
    return os.environ.get(variable, "") not in ("", "0")


def main() -> int:
    try:
        demo(keep=_set("KEEP"), hot_reload=_set("HOT_RELOAD"), database=_set("DATABASE"))
    except (DemoFailed, FileNotFoundError, RuntimeError, TimeoutError) as exc:
        print(f"\n\033[31mdemo failed at {_current[0]}: {exc}\033[0m", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
