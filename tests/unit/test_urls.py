"""The URL helpers behind the host checks and the masking of a password in a host URL."""

from __future__ import annotations

import pytest

from dbt_cloud.errors import ConfigError
from dbt_cloud.urls import checked_url, masked, without_userinfo


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://u:pw@host:8000/api/x", "http://u:****@host:8000/api/x"),
        ("https://u:p%40w@host", "https://u:****@host"),
        ("http://host/path@not-userinfo", "http://host/path@not-userinfo"),
        ("http://user-only@host", "http://user-only@host"),
        ("u:pw@host", "u:****@host"),
        ("https://cloud.getdbt.com", "https://cloud.getdbt.com"),
    ],
)
def test_masked(url: str, shown: str) -> None:
    assert masked(url) == shown


def test_without_userinfo() -> None:
    assert without_userinfo("http://u:pw@127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert without_userinfo("https://emea.dbt.com") == "https://emea.dbt.com"


@pytest.mark.parametrize(
    "url", ["http://[::1]:8000", "https://bücher.example", "http://a_b.internal:1", "HTTPS://X.COM"]
)
def test_usable_urls_pass(url: str) -> None:
    assert checked_url(url, "host").hostname


def test_the_error_names_the_setting_and_masks_the_password() -> None:
    with pytest.raises(ConfigError) as caught:
        checked_url("http://me:hunter22@%zz", "dbt Cloud host (DBT_CLOUD_HOST)")
    line = caught.value.one_line()
    assert line.startswith("Invalid dbt Cloud host (DBT_CLOUD_HOST) 'http://me:****@%zz': ")
    assert "hunter22" not in line
