"""Tokens an attacker can make without the key: unsigned (``alg: none``), expired, malformed."""

from __future__ import annotations

import base64
import json
from typing import Any


def _part(document: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()


def unsigned(claims: dict[str, Any] | None = None) -> str:
    claims = claims or {"sub": "1", "role": "admin", "exp": 4102444800}
    return f"{_part({'alg': 'none', 'typ': 'JWT'})}.{_part(claims)}."


def expired() -> str:
    claims = {"sub": "1", "exp": 946684800}  # 2000-01-01
    return f"{_part({'alg': 'HS256', 'typ': 'JWT'})}.{_part(claims)}.{_part({'sig': 'forged'})}"


BAD_TOKENS: tuple[tuple[str, str | None], ...] = (
    ("no token", None),
    ("a malformed token", "not-a-token"),
    ("an expired token", expired()),
    ("an alg:none token", unsigned()),
)
