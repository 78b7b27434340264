"""Statement splitting on sqlglot's tokenizer: semicolons that are real tokens, never ones inside strings,
quoted names or comments. Each dialect decides which of those semicolons end a statement."""

from __future__ import annotations

from typing import Any

from stanchion.db.dialects.base import Statement, line_of
from stanchion.errors import UsageError


def sql_tokens(script: str, dialect: str) -> list[Any]:
    """sqlglot's tokens for ``script`` (UsageError when the text cannot be tokenized)."""
    from sqlglot.dialects.dialect import Dialect as GlotDialect
    from sqlglot.errors import TokenError

    try:
        return list(GlotDialect.get_or_raise(dialect).tokenize(script))
    except TokenError as exc:
        raise UsageError(f"cannot tokenize SQL: {exc}", "look for an unterminated string or comment") from exc


def split_on_tokens(script: str, tokens: list[Any], accept: Any = None) -> list[Statement]:
    """Cut ``script`` at semicolon tokens (where ``accept(text_so_far)`` allows), keeping line numbers.

    Comments are not tokens, so a stretch holding only comments yields no statement; a statement starts at
    its first token.
    """
    from sqlglot.tokens import TokenType  # type: ignore[attr-defined]

    statements: list[Statement] = []
    first: int | None = None
    for token in tokens:
        if token.token_type != TokenType.SEMICOLON:
            if first is None:
                first = token.start
            continue
        if first is None:
            continue
        if accept is not None and not accept(script[first : token.end + 1]):
            continue
        statements.append(Statement(script[first : token.start].strip(), line_of(script, first)))
        first = None
    if first is not None:
        statements.append(Statement(script[first:].strip(), line_of(script, first)))
    return statements
