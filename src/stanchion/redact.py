"""Masking of secrets in anything shown to a user: connection strings above all.

Every error line, log line and report goes through :func:`mask_secrets`, so a password typed into a URL
never reaches a terminal, a CI log or a saved report.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

MASK = "***"

# scheme://user:password@host  -> scheme://user:***@host (the password may contain anything but '@' and '/')
_URL_PASSWORD = re.compile(
    r"(?P<pre>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:)(?P<pw>[^@/\r\n\t ]*)(?P<post>@)"
)
# key=value forms used by libpq and DSNs: password=secret
_KV_PASSWORD = re.compile(
    r"(?P<pre>\b(?:password|passwd|pwd)\s*=\s*)(?P<pw>'[^']*'|\"[^\"]*\"|[^\s;&]+)", re.I
)


def mask_url(url: str) -> str:
    """Return ``url`` with its password replaced by ``***``; other parts are kept exactly."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return mask_secrets(url)
    if parts.password is None:
        return mask_secrets(url)
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{hostinfo}"))


def mask_secrets(text: str) -> str:
    """Mask every URL password and ``password=...`` pair found anywhere in ``text``."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['pre']}{MASK}{m['post']}" if m["pw"] else m[0], text)
    return _KV_PASSWORD.sub(lambda m: f"{m['pre']}{MASK}", text)
