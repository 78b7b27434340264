"""Each kind of request the hard spec defines, against all four frameworks' generated servers: invalid ones are
refused with the declared status and a problem+json body, valid ones reach the (stub) handler."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scaffold.test_routes_support import TS_FRAMEWORKS, request, server_command, serving

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=[*TS_FRAMEWORKS, "fastapi"])
def hard(
    request: pytest.FixtureRequest, built: Path, packages: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The hard spec's server for one framework (its getPet handler edited to leak a writeOnly member)."""
    framework: str = request.param  # pytest's request object here; the tests use the HTTP helper
    root = packages if framework == "fastapi" else built
    cwd = packages if framework == "fastapi" else tmp_path_factory.mktemp(framework)
    with serving(server_command(framework, "hard", root), cwd=cwd) as url:
        yield url


AUTH = {"Authorization": "Bearer test-token", "X-Request-Id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}


def _problem(status: int, headers: dict[str, str], body: bytes, expected: int) -> dict[str, object]:
    assert status == expected, body
    assert headers["content-type"].startswith("application/problem+json")
    doc = json.loads(body)
    assert doc["status"] == expected and doc["title"] and doc["type"]
    return dict(doc)


def test_bad_enum_is_400(hard: str) -> None:
    doc = _problem(*request(f"{hard}/pets?status=lost", headers=AUTH), expected=400)
    assert "status" in str(doc["detail"])


def test_wrong_type_in_a_one_of_branch_is_400(hard: str) -> None:
    body = json.dumps({"petType": "dog", "name": "Rex", "packSize": "many"}).encode()
    headers = {**AUTH, "Content-Type": "application/json"}
    _problem(*request(f"{hard}/pets", "POST", body, headers), expected=400)
    fine = json.dumps({"petType": "dog", "name": "Rex", "packSize": 3}).encode()
    assert request(f"{hard}/pets", "POST", fine, headers)[0] == 201


def test_missing_required_header_is_400(hard: str) -> None:
    headers = {"Authorization": "Bearer test-token"}
    doc = _problem(*request(f"{hard}/pets", headers=headers), expected=400)
    assert "X-Request-Id" in str(doc["detail"])


def test_write_only_member_in_a_response_is_500(hard: str) -> None:
    assert request(f"{hard}/pets/1", headers=AUTH)[0] == 200
    status, headers, body = request(f"{hard}/pets/2", headers=AUTH)
    doc = _problem(status, headers, body, expected=500)
    assert "secret" in str(doc["detail"])
    assert b"hunter2" not in body


def test_missing_credentials_is_401_and_scopes_are_checked(hard: str) -> None:
    url = hard
    status, headers, body = request(f"{url}/pets", headers={"X-Request-Id": AUTH["X-Request-Id"]})
    _problem(status, headers, body, expected=401)
    assert "Bearer" in headers["www-authenticate"]
    assert request(f"{url}/pets", headers={**AUTH, "Authorization": "Bearer forged"})[0] == 401
    assert (
        request(f"{url}/pets", headers={"X-Request-Id": AUTH["X-Request-Id"], "X-API-Key": "test-key"})[0]
        == 200
    )
    _problem(*request(f"{url}/pets/1", "DELETE", headers=AUTH), expected=403)
    assert request(f"{url}/pets/1", "DELETE", headers={"Authorization": "Bearer admin-token"})[0] == 204
    assert request(f"{url}/health")[0] == 200  # security: [] is public


def test_a_literal_path_owns_its_url_over_a_template(hard: str) -> None:
    url = f"{hard}/pets/mine"
    assert request(url)[0] == 200  # listMyPets, not getPet with petId "mine"
    status, headers, body = request(url, "DELETE", headers=AUTH)
    _problem(status, headers, body, expected=405)
    allow = {m.strip() for m in headers["allow"].split(",")}
    assert allow == {"GET", "POST"}  # /pets/{petId}'s DELETE is not offered for /pets/mine


def test_a_parameter_with_literal_text_owns_its_url_over_a_bare_parameter(hard: str) -> None:
    status, headers, body = request(f"{hard}/pets/7.txt", headers=AUTH)
    assert status == 200, body  # getPetText, not getPet with petId "7.txt"
    assert headers["content-type"].startswith("text/plain")
    status, headers, body = request(f"{hard}/pets/x.txt", headers=AUTH)
    assert "petId" in str(_problem(status, headers, body, expected=400)["detail"])
    status, headers, body = request(f"{hard}/pets/7", headers=AUTH)  # the bare template keeps its own URLs:
    _problem(status, headers, body, expected=500)  # getPet, whose handler here leaks a writeOnly member


def test_operations_sharing_a_url_are_told_apart_by_their_parameters(hard: str) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    status, _, body = request(f"{hard}/jobs?Action=Start", "POST", b'{"job": "nightly"}', headers)
    assert status == 202 and "started" in json.loads(body)  # startJob
    status, _, body = request(
        f"{hard}/jobs?Action=Stop", "POST", b'{"job": "nightly", "force": true}', headers
    )
    assert status == 200 and "stopped" in json.loads(body)  # stopJob
    status, headers_out, body = request(f"{hard}/jobs?Action=Pause", "POST", b'{"job": "nightly"}', headers)
    assert "Action" in str(_problem(status, headers_out, body, expected=400)["detail"])
    status, headers_out, body = request(f"{hard}/jobs?Action=Stop", "POST", b'{"job": "nightly"}', headers)
    assert "force" in str(_problem(status, headers_out, body, expected=400)["detail"])  # stopJob's own check


def test_an_optional_body_is_validated_when_sent(hard: str) -> None:
    url = f"{hard}/pets/mine"
    json_type = {"Content-Type": "application/json"}
    assert request(url, "POST", None, {})[0] == 204
    assert request(url, "POST", b'{"dryRun": true}', json_type)[0] == 204
    _problem(*request(url, "POST", b"null", json_type), expected=400)  # the schema is an object: null is not
    _problem(*request(url, "POST", b'{"dryRun": "yes"}', json_type), expected=400)
    _problem(*request(url, "POST", b"[1]", json_type), expected=400)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    _problem(*request(url, "POST", b"", form), expected=400)  # an empty form is {}: 'reason' is missing
    assert request(url, "POST", b"reason=tidy", form)[0] == 204


def _post(url: str, body: object, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return request(
        url, "POST", json.dumps(body).encode(), {**AUTH, "Content-Type": "application/json", **headers}
    )


def test_members_required_beside_the_all_of_that_defines_them(hard: str) -> None:
    url = f"{hard}/servers"
    assert _post(url, {"name": "web", "size": 2, "host": "example.com"})[0] == 201
    _problem(*_post(url, {"name": "web", "host": "example.com"}), expected=400)  # size: only in 'required'
    _problem(*_post(url, {"name": "web", "size": 2}), expected=400)  # neither anyOf branch's 'required'


def test_uri_hostname_and_ipv6_formats_are_checked(hard: str) -> None:
    url = hard
    good = {"name": "web", "size": 2, "host": "api.example.com", "homepage": "https://example.com/a?b=c#d"}
    assert _post(f"{url}/servers", good)[0] == 201
    _problem(*_post(f"{url}/servers", {**good, "host": "-example.com"}), expected=400)
    _problem(*_post(f"{url}/servers", {**good, "homepage": "example.com/no scheme"}), expected=400)
    assert _post(f"{url}/servers/2001:db8::1/actions", {"type": "reboot"})[0] == 202
    _problem(*_post(f"{url}/servers/null%2Cnull/actions", {"type": "reboot"}), expected=400)


def test_an_accept_header_with_an_enum_must_admit_one_of_its_types(hard: str) -> None:
    url = f"{hard}/servers"
    body = {"name": "web", "size": 2, "host": "example.com"}
    for accept in ("application/json", "*/*", "text/html;q=0.9, Application/YAML;q=0.5", "application/*"):
        assert _post(url, body, Accept=accept)[0] == 201, accept
    _problem(*_post(url, body, Accept="AAA"), expected=400)
    _problem(*_post(url, body, Accept="text/html"), expected=400)


def test_discriminator_mappings_naming_bundled_files_and_branch_enums_are_used(hard: str) -> None:
    url = f"{hard}/servers/2001:db8::1"
    assert _post(f"{url}/actions", {"type": "reboot"})[0] == 202  # a value of the branch's own enum
    assert _post(f"{url}/actions", {"type": "rename", "name": "db"})[0] == 202  # the mapping's external name
    _problem(*_post(f"{url}/actions", {"type": "rename"}), expected=400)
    _problem(*_post(f"{url}/actions", {"type": "halt"}), expected=400)
    # a hint only: 'transfer' maps to the branch needing a region, but the other branch admits it too
    assert _post(f"{url}/moves", {"type": "transfer"})[0] == 202
    assert _post(f"{url}/moves", {"type": "transfer", "region": "ams3"})[0] == 202
    _problem(*_post(f"{url}/moves", {"type": "stay"}), expected=400)


def test_allow_empty_value_accepts_an_empty_query_parameter(hard: str) -> None:
    url = f"{hard}/pets/mine"
    assert request(f"{url}?verbose=")[0] == 200  # allowEmptyValue: sent empty, taken as not sent
    assert request(f"{url}?verbose=true")[0] == 200
    _problem(*request(f"{url}?verbose=maybe"), expected=400)


def test_multipart_with_a_file_in_a_named_schema(hard: str) -> None:
    boundary = "stanchionboundary"
    parts = [
        ('name="file"; filename="a.png"', b"\x89PNG\r\n"),
        ('name="caption"', b"A cat"),
        ('name="rating"', b"5"),
    ]
    body = (
        b"".join(
            f"--{boundary}\r\nContent-Disposition: form-data; {disp}\r\n\r\n".encode() + data + b"\r\n"
            for disp, data in parts
        )
        + f"--{boundary}--\r\n".encode()
    )
    headers = {**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    url = f"{hard}/pets/1/photos"
    assert request(url, "POST", body, headers)[0] == 201
    _problem(*request(url, "POST", body.replace(b"\r\n5\r\n", b"\r\n9\r\n"), headers), expected=400)
