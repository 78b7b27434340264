"""FastAPI outputs (the session's ``packages`` fixture): mypy --strict clean, boot under uvicorn with stub handlers
and pass Schemathesis. Request-by-request checks are in test_routes_requests.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scaffold.conftest import PY_SPECS
from tests.scaffold.test_routes_support import mypy_strict, schemathesis, server_command, serving

pytestmark = pytest.mark.slow


def test_mypy_strict_is_clean(packages: Path) -> None:
    mypy_strict(packages, [f"{n}_api" for n in PY_SPECS])


@pytest.mark.parametrize("name", list(PY_SPECS))
def test_boots_and_passes_schemathesis(packages: Path, name: str, tmp_path: Path) -> None:
    extra = (
        ["-H", "Authorization: Bearer admin-token", "--exclude-operation-id", "getPet"]
        if name == "hard"
        else []
    )
    with serving(server_command("fastapi", name, packages), cwd=packages) as url:
        report = schemathesis(PY_SPECS[name], url, tmp_path, examples=20, extra=extra)
    assert "No issues found" in report
