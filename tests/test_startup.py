"""`stanchion --help` stays fast: the root import loads none of the heavy modules."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "sqlalchemy",
    "jinja2",
    "pydantic",
    "uvloop",
    "httptools",
    "rich.progress",
    "yaml",
    "typer",
    "psycopg",
    "pglast",
    "sqlglot",
    "hdrh",
)


def test_import_cli_loads_no_heavy_module() -> None:
    code = (
        "import sys, json; import stanchion.cli.main as m; "
        "m.root.list_commands(None); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(proc.stdout))
    offenders = sorted(name for name in loaded if any(name == h or name.startswith(h + ".") for h in HEAVY))
    assert offenders == [], f"import stanchion.cli loaded heavy modules: {offenders}"


def test_help_renders_without_heavy_modules() -> None:
    code = (
        "import sys, json, io, contextlib\n"
        "from stanchion.cli.main import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    main(['--help'])\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(proc.stderr))
    offenders = sorted(name for name in loaded if any(name == h or name.startswith(h + ".") for h in HEAVY))
    assert offenders == []
