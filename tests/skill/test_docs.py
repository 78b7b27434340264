"""The skill's documents are true: every shell command in them runs, and every link resolves.

Shell blocks are fenced code tagged ``sh``, ``bash``, ``shell`` or ``console`` (in ``console`` blocks, lines
starting with ``$ `` are the commands). Each block runs as one bash script with ``set -euo pipefail`` in a fresh
folder, with the placeholders the docs use filled in:

* ``$DATABASE_URL``: a SQLite database in that folder (the embedded default);
* ``$PG_URL``: a fresh database on the suite's throwaway PostgreSQL;
* ``$BASE_URL``: a small HTTP service on 127.0.0.1 that answers every path with JSON;
* ``openapi.yaml`` (the OpenAPI Initiative's petstore) and ``schema.sql`` in the folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from stanchion.skill.install import packaged_agent_file, packaged_skill_dir

REPO = Path(__file__).resolve().parents[2]
PETSTORE = REPO / "tests" / "data" / "skill" / "petstore.yaml"
SCHEMA_SQL = """\
CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
                     total_cents INTEGER NOT NULL, created_at TIMESTAMP NOT NULL);
"""
SHELL_TAGS = {"sh", "bash", "shell", "console"}
FENCE = re.compile(r"^```([\w+-]*)[^\n]*\n(.*?)^```", re.M | re.S)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def skill_documents() -> list[Path]:
    docs = sorted(packaged_skill_dir().rglob("*.md"))
    return [*docs, packaged_agent_file()]


def shell_blocks() -> list[tuple[str, str]]:
    """(id, script) for every shell block in the skill's documents."""
    blocks = []
    for doc in skill_documents():
        text = doc.read_text()
        for index, match in enumerate(FENCE.finditer(text)):
            tag, body = match.group(1).lower(), match.group(2)
            if tag not in SHELL_TAGS:
                continue
            if tag == "console":
                body = "\n".join(line[2:] for line in body.splitlines() if line.startswith("$ "))
            line = text[: match.start()].count("\n") + 1
            rel = doc.relative_to(doc.parents[1]) if doc.parent.name == "references" else doc.name
            blocks.append((f"{rel}:{line}#{index}", body))
    return blocks


class _Service(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = b'{"status":"ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Service)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_skill_has_shell_examples() -> None:
    assert len(shell_blocks()) >= 10


@pytest.mark.postgres
@pytest.mark.parametrize(("block_id", "script"), shell_blocks(), ids=[b[0] for b in shell_blocks()])
def test_shell_block_runs(block_id: str, script: str, tmp_path: Path, base_url: str, pg_url: str) -> None:
    shutil.copy(PETSTORE, tmp_path / "openapi.yaml")
    (tmp_path / "schema.sql").write_text(SCHEMA_SQL)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp_path / "home"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "PG_URL": pg_url,
        "BASE_URL": base_url,
        "SKILL_SCRIPTS": str(packaged_skill_dir() / "scripts"),
        "CI": "1",
    }
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, (
        f"{block_id} failed ({proc.returncode}):\n{script}\n--- stderr\n{proc.stderr[-3000:]}"
    )


def _slug(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@pytest.mark.parametrize(
    "layout",
    ["default", "custom", "nested"],
)
def test_links_between_installed_skill_files_resolve(tmp_path: Path, layout: str) -> None:
    """Checked on an installed copy, so the agent file's links into the skill folder are checked exactly as
    an agent will follow them: in the default layout (``../skills/senior-backend/...``) and with any
    ``--dest``/``--agents-dest`` (the links are written for where the skill folder really is)."""
    from stanchion.skill.install import default_agents_dest, default_skill_dest, install

    dest, agents = {
        "default": (default_skill_dest(tmp_path), default_agents_dest(tmp_path)),
        "custom": (tmp_path / "skill", tmp_path / "agents"),
        "nested": (tmp_path / "a" / "b" / "my-skill", tmp_path / "elsewhere" / "agents"),
    }[layout]
    result = install(dest, agents)
    documents = [a.path for a in result.actions if a.path.suffix == ".md"]
    assert result.agent_file in documents
    broken = []
    for doc in documents:
        text = FENCE.sub("", doc.read_text())
        for target in LINK.findall(text):
            if re.match(r"^[a-z]+:", target):
                continue
            path_part, _, anchor = target.partition("#")
            resolved = (doc.parent / path_part).resolve() if path_part else doc
            if not resolved.is_file():
                broken.append(f"{doc.name}: {target} (no such file)")
                continue
            if anchor:
                headings = re.findall(r"^#+\s+(.*)$", FENCE.sub("", resolved.read_text()), re.M)
                if anchor not in {_slug(h) for h in headings}:
                    broken.append(f"{doc.name}: {target} (no heading #{anchor})")
    assert broken == []
