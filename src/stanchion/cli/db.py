"""``stanchion db``: migrations (create, migrate, rollback, status, redo, repair, apply).

Schema analysis, lint, diff and index advice register their commands on :data:`group` from
``stanchion.cli.db_schema``. Commands here are thin: they call :mod:`stanchion.db` and render its results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from stanchion.cli.common import json_option, output

F = TypeVar("F", bound=Callable[..., Any])

dir_option: Callable[[F], F] = click.option(
    "--dir",
    "directory",
    default=None,
    metavar="DIR",
    help="Migrations folder (default: migrations_dir, 'migrations').",
)
format_option: Callable[[F], F] = click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "stanchion", "dbmate", "golang-migrate", "flyway", "prisma"]),
    default=None,
    help="Layout of the migrations folder (default: auto-detect).",
)


@click.group("db", context_settings={"help_option_names": ["-h", "--help"]})
def group() -> None:
    """Migrations, schema analysis, index advice, schema diff and migration lint.

    \b
    Examples:
      stanchion db create add_users_table
      stanchion db migrate --database-url postgresql://app@127.0.0.1/app
      stanchion db status --json
      stanchion db rollback --steps 2 --yes
    """


#: the name stanchion.cli.main.COMMANDS looks up
app = group


@group.command("create")
@click.argument("name")
@dir_option
@format_option
@click.option("--no-transaction", is_flag=True, help="Mark the migration to run outside a transaction.")
@json_option
@click.pass_context
def create_command(
    ctx: click.Context,
    name: str,
    directory: str | None,
    fmt: str | None,
    no_transaction: bool,
    json_mode: bool,
) -> None:
    """Write a new, empty migration: YYYYMMDDHHMMSS_NAME.sql with up and down sections.

    \b
    The file is dbmate-compatible; in a folder of another layout (golang-migrate,
    flyway, prisma) the new migration follows that layout.

    \b
    Examples:
      stanchion db create add_users_table
      stanchion db create add_email_index --no-transaction   # CREATE INDEX CONCURRENTLY
      stanchion db create init --dir db/migrations
    """
    import stanchion.db as core

    out = output(ctx, json_mode)
    result = core.create(name, directory=directory, format=fmt, no_transaction=no_transaction)
    out.result(result.to_json(), "\n".join(f"created {path}" for path in result.files))
