"""Webhook URL validation at registration, and the address policy behind the SSRF guard."""

import json
from pathlib import Path

import pytest

from server.notify.addresses import (
    AllowList,
    OutboundPolicy,
    TargetRefused,
    is_public_address,
    normalise_host,
)
from server.notify.urls import MAX_URL_LENGTH, WebhookUrlError, check_url

CASES = json.loads((Path(__file__).parents[2] / "data" / "notify" / "urls.json").read_text())


def _no_dns(host, port):
    raise OSError(f"{host} does not resolve")


def _answers(mapping):
    """A resolver that knows only ``mapping`` (host -> addresses)."""

    def resolve(host, port):
        if host not in mapping:
            raise OSError(f"{host} does not resolve")
        return list(mapping[host])

    return resolve


DEFAULT = OutboundPolicy(resolver=_no_dns)
ALLOW_ALL_INTERNAL = OutboundPolicy(AllowList.parse("0.0.0.0/0,::/0"), resolver=_no_dns)


@pytest.mark.parametrize(("url", "message"), CASES["refused_everywhere"])
def test_malformed_urls_are_refused_with_the_field_path(url, message):
    """Non-http schemes, credentials, missing hosts, bad ports, fragments and odd characters are refused."""
    for policy in (DEFAULT, ALLOW_ALL_INTERNAL):
        with pytest.raises(WebhookUrlError) as caught:
            check_url(url, policy, path="url")
        assert caught.value.errors[0][0] == "url"
        assert message in caught.value.errors[0][1]


def test_overlong_urls_are_refused():
    """A URL longer than the column is refused with the limit in the message."""
    with pytest.raises(WebhookUrlError, match=str(MAX_URL_LENGTH)):
        check_url("https://erp.example.com/" + "a" * MAX_URL_LENGTH, DEFAULT)


@pytest.mark.parametrize("url", CASES["refused_by_default"])
def test_internal_targets_are_refused_in_every_spelling_by_default(url):
    """Loopback, private, link-local, CGNAT, NAT64, mapped IPv6 and internal names are refused, however written."""
    with pytest.raises(WebhookUrlError) as caught:
        check_url(url, DEFAULT)
    assert caught.value.errors[0][0] == "url"


@pytest.mark.parametrize(("url", "stored"), CASES["accepted"])
def test_public_targets_are_accepted_and_international_hosts_stored_in_idna(url, stored):
    """Public names and addresses pass; an international host name is stored as its IDNA form."""
    assert check_url(url, DEFAULT) == stored


def test_a_name_that_resolves_inward_is_refused_at_registration():
    """A public-looking name whose DNS answer holds a private address is a 422, even beside a public one."""
    policy = OutboundPolicy(resolver=_answers({"rebind.example.com": ["93.184.216.34", "127.0.0.1"],
                                               "fine.example.com": ["93.184.216.34", "2606:2800:220:1::1"]}))
    with pytest.raises(WebhookUrlError, match="resolves to a loopback"):
        check_url("https://rebind.example.com/hook", policy)
    assert check_url("https://fine.example.com/hook", policy) == "https://fine.example.com/hook"
    assert check_url("https://not-yet.example.com/hook", policy)  # does not resolve now: each delivery checks


def test_the_operator_allows_named_internal_hosts_addresses_and_networks():
    """Only the hosts named in the allowance pass; every other internal target is still refused."""
    policy = OutboundPolicy(AllowList.parse("erp.internal, 10.1.2.3 ,192.168.7.0/24,[fd00::5]"),
                            resolver=_answers({"erp.internal": ["10.9.9.9"], "erp2.example.com": ["10.1.2.3"]}))
    for url in ("http://erp.internal:8080/hook", "http://ERP.internal./hook", "http://10.1.2.3/hook",
                "http://192.168.7.40/hook", "http://[fd00::5]/hook", "https://erp2.example.com/hook"):
        assert check_url(url, policy) == url
    for url in ("http://10.1.2.4/hook", "http://127.0.0.1/hook", "http://other.internal/hook", "http://[fd00::6]/"):
        with pytest.raises(WebhookUrlError):
            check_url(url, policy)


def test_a_bad_allowance_names_the_entry():
    """An allowance entry that is no host, address or network is refused with its text."""
    with pytest.raises(ValueError, match="'bad host!'"):
        AllowList.parse("erp.internal,bad host!")


def test_delivery_addresses_are_the_checked_ones():
    """The addresses handed to the transport are exactly the resolved, checked ones; inward answers raise."""
    policy = OutboundPolicy(resolver=_answers({"hooks.example.com": ["93.184.216.34"],
                                               "inward.example.com": ["93.184.216.34", "169.254.169.254"]}))
    assert policy.addresses("hooks.example.com.", 443) == ["93.184.216.34"]
    assert policy.addresses("0x08080808", 443) == ["8.8.8.8"]
    with pytest.raises(TargetRefused):
        policy.addresses("inward.example.com", 443)
    with pytest.raises(TargetRefused):
        policy.addresses("2130706433", 80)
    with pytest.raises(OSError):
        policy.addresses("gone.example.com", 443)


@pytest.mark.parametrize(("host", "normal"), [
    ("127.1", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("2130706433", "127.0.0.1"),
    ("[::FFFF:127.0.0.1]", "::ffff:7f00:1"), ("Erp.Example.COM.", "erp.example.com"),
    ("bücher.example", "xn--bcher-kva.example"), ("ｌｏｃａｌｈｏｓｔ", "localhost"), ("cafe.be", "cafe.be"),
])
def test_hosts_are_read_as_resolvers_read_them(host, normal):
    """Numeric IPv4 spellings, IPv6 forms, case, trailing dots and IDNA all come to one normal form."""
    assert normalise_host(host) == normal


@pytest.mark.parametrize(("address", "public"), [
    ("8.8.8.8", True), ("2001:4860:4860::8888", True), ("127.0.0.1", False), ("10.0.0.1", False),
    ("169.254.169.254", False), ("100.100.100.200", False), ("::1", False), ("::ffff:10.0.0.1", False),
    ("::ffff:8.8.8.8", False), ("64:ff9b::808:808", False), ("2002:c000:204::1", False), ("224.0.0.1", False),
    ("fe80::1%eth0", False), ("192.0.0.170", False), ("not-an-ip", False),
])
def test_public_address_policy(address, public):
    """Only globally routable unicast addresses outside every special-purpose block count as public."""
    assert is_public_address(address) is public
