"""FastAPI outputs (the session's ``packages`` fixture): mypy --strict clean, boot under uvicorn with stub handlers
and pass Schemathesis. Request-by-request checks are in test_routes_requests.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.scaffold.conftest import PY_SPECS
from tests.scaffold.test_routes_support import mypy_strict, request, schemathesis, server_command, serving

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


WITHOUT_MULTIPART = (
    "import sys; sys.modules['python_multipart'] = sys.modules['multipart'] = None; import uvicorn; "
    "uvicorn.run('hard_api.generated.app:app', host='127.0.0.1', port=int(sys.argv[1]), log_level='warning')"
)


def test_form_bodies_without_python_multipart_are_a_clear_500(packages: Path) -> None:
    """Starlette reads forms with python-multipart, which a project may lack: a valid form then gets a 500
    that names it, not a 400 blaming the client (the generator also warns, see test_routes_generate.py)."""
    with serving([sys.executable, "-c", WITHOUT_MULTIPART, "{port}"], cwd=packages) as url:
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        status, headers, body = request(f"{url}/pets/mine", "POST", b"reason=tidy", form)
        assert status == 500 and headers["content-type"].startswith("application/problem+json")
        assert "python-multipart" in json.loads(body)["detail"]
        json_type = {"Content-Type": "application/json"}
        assert request(f"{url}/pets/mine", "POST", b'{"dryRun": true}', json_type)[0] == 204
