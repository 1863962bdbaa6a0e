"""Webhook URL validation and the address policy behind the SSRF guard."""

import json
from pathlib import Path

import pytest

from server.notify.urls import MAX_URL_LENGTH, WebhookUrlError, check_url, is_public_address

CASES = json.loads((Path(__file__).parents[2] / "data" / "notify" / "urls.json").read_text())


@pytest.mark.parametrize(("url", "message"), CASES["refused_everywhere"])
def test_malformed_urls_are_refused_with_the_field_path(url, message):
    """Non-http schemes, credentials, missing hosts, bad ports, fragments and odd characters are refused."""
    for allow_private in (True, False):
        with pytest.raises(WebhookUrlError) as caught:
            check_url(url, allow_private=allow_private, path="url")
        assert caught.value.errors[0][0] == "url"
        assert message in caught.value.errors[0][1]


def test_overlong_urls_are_refused():
    """A URL longer than the column is refused with the limit in the message."""
    with pytest.raises(WebhookUrlError, match=str(MAX_URL_LENGTH)):
        check_url("https://erp.example.com/" + "a" * MAX_URL_LENGTH, allow_private=True)


@pytest.mark.parametrize("url", CASES["refused_in_production"])
def test_internal_targets_are_refused_unless_private_is_allowed(url):
    """Loopback, private, link-local, CGNAT and internal names are refused in production, allowed otherwise."""
    with pytest.raises(WebhookUrlError):
        check_url(url, allow_private=False)
    assert check_url(url, allow_private=True) == url


@pytest.mark.parametrize("url", CASES["accepted_in_production"])
def test_public_targets_are_accepted_in_production(url):
    """Public host names and public literal addresses pass the production policy."""
    assert check_url(url, allow_private=False) == url


@pytest.mark.parametrize(("address", "public"), [
    ("8.8.8.8", True), ("2001:4860:4860::8888", True), ("127.0.0.1", False), ("10.0.0.1", False),
    ("169.254.169.254", False), ("::1", False), ("::ffff:10.0.0.1", False), ("224.0.0.1", False),
    ("fe80::1%eth0", False), ("not-an-ip", False),
])
def test_public_address_policy(address, public):
    """Only globally routable unicast addresses count as public."""
    assert is_public_address(address) is public
