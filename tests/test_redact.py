"""Passwords never reach output: URLs and key=value DSNs are masked."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stanchion.redact import mask_secrets, mask_url


def test_mask_url_keeps_everything_but_the_password() -> None:
    assert (
        mask_url("postgresql://app:pw@h:5432/db?sslmode=require")
        == "postgresql://app:***@h:5432/db?sslmode=require"
    )
    assert mask_url("sqlite:///stanchion.db") == "sqlite:///stanchion.db"
    assert mask_url("mysql+pymysql://root@127.0.0.1/x") == "mysql+pymysql://root@127.0.0.1/x"


def test_mask_secrets_in_free_text() -> None:
    text = "could not connect to postgresql://u:hunter2@10.0.0.1:5432/app (password=hunter2 host=x)"
    masked = mask_secrets(text)
    assert "hunter2" not in masked
    assert "postgresql://u:***@10.0.0.1:5432/app" in masked


@given(
    st.text(
        alphabet=st.characters(blacklist_characters="@/ \n\t:", min_codepoint=33, max_codepoint=0x2FFF),
        min_size=1,
        max_size=30,
    )
)
def test_any_password_is_masked(password: str) -> None:
    url = f"postgresql://user:{password}@db.example:5432/app"
    assert mask_secrets(url) == "postgresql://user:***@db.example:5432/app"
    assert mask_url(url) == "postgresql://user:***@db.example:5432/app"
    assert (
        mask_secrets(f"failed: {url} (timeout)")
        == "failed: postgresql://user:***@db.example:5432/app (timeout)"
    )
