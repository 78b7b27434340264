"""String formats checked through regular expressions that JavaScript (``u`` flag) and Python read alike.

The generated runtimes check the common formats themselves (date-time, date, uuid, email...); the formats here
are emitted as patterns next to them, so that both outputs check them the same way without a library. Each
expression is anchored at both ends; ``(?![\\s\\S])`` is the end of the input in both languages (Python's ``$``
would also match before a final newline).
"""

from __future__ import annotations

_END = r"(?![\s\S])"
_HEX4 = "[0-9A-Fa-f]{1,4}"
_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = rf"{_OCTET}(\.{_OCTET}){{3}}"


def _ipv6() -> str:
    """RFC 3986's IPv6address: eight groups, one ``::`` standing for one or more zero groups, and an IPv4
    address in place of the last two groups."""
    ls32 = f"({_HEX4}:{_HEX4}|{_IPV4})"
    forms = [f"({_HEX4}:){{6}}{ls32}", f"::({_HEX4}:){{5}}{ls32}"]
    for before, after in ((0, 4), (1, 3), (2, 2), (3, 1), (4, 0)):
        head = f"(({_HEX4}:){{0,{before}}}{_HEX4})?"
        forms.append(f"{head}::({_HEX4}:){{{after}}}{ls32}" if after else f"{head}::{ls32}")
    forms.append(f"(({_HEX4}:){{0,5}}{_HEX4})?::{_HEX4}")
    forms.append(f"(({_HEX4}:){{0,6}}{_HEX4})?::")
    return "(" + "|".join(forms) + ")"


_IPV6 = _ipv6()
_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PCT = "%[0-9A-Fa-f]{2}"
_UNRESERVED_SUB = r"A-Za-z0-9\-._~!$&'()*+,;="
_PCHAR = rf"([{_UNRESERVED_SUB}:@]|{_PCT})"
_AUTHORITY = (
    rf"(([{_UNRESERVED_SUB}:]|{_PCT})*@)?"  # userinfo
    rf"(\[({_IPV6}|v[0-9A-Fa-f]+\.[{_UNRESERVED_SUB}:]+)\]|([{_UNRESERVED_SUB}]|{_PCT})*)"  # host
    r"(:[0-9]*)?"  # port
)
#: RFC 3986 URI: scheme ":" hier-part [ "?" query ] [ "#" fragment ]
_URI = (
    rf"[A-Za-z][A-Za-z0-9+.\-]*:"
    rf"(//{_AUTHORITY}(/{_PCHAR}*)*|(?!//)({_PCHAR}|/)*)"
    rf"(\?({_PCHAR}|[/?])*)?"
    rf"(#({_PCHAR}|[/?])*)?"
)

#: format -> anchored pattern
FORMAT_PATTERNS: dict[str, str] = {
    "ipv4": f"^{_IPV4}{_END}",
    "ipv6": f"^{_IPV6}{_END}",
    # RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens, 253 characters at most
    "hostname": rf"^(?=[\s\S]{{1,253}}{_END}){_LABEL}(\.{_LABEL})*{_END}",
    "uri": f"^{_URI}{_END}",
}
