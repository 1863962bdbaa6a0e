"""The carrier's dashboard offers a labelled pairing button per driver, in both languages (test client, both backends)."""

import json
import re

from tests.conftest import SAME_SITE, TEST_PASSWORD


def _sign_in(client, party):
    assert client.post("/api/v1/auth/login", json={"email": party.user.email, "password": TEST_PASSWORD}).status_code == 200


def _driver(client, carrier, name):
    r = client.post("/api/v1/drivers", headers=carrier.headers, json={"name": name})
    assert r.status_code == 201
    return r.get_json()["id"]


def test_each_driver_has_a_labelled_pairing_button_that_makes_a_qr_code(client, make_party):
    """Every driver row has a form to the pairing API with labelled controls; the session may call it."""
    carrier = make_party("carrier")
    driver_id = _driver(client, carrier, "Jan Kowalski")
    _sign_in(client, carrier)
    html = client.get("/carrier", headers={"Accept": "text/html"}).get_data(as_text=True)
    form = re.search(rf'<form id="pair-{driver_id}"[^>]*>.*?</form>', html, re.S)
    assert form is not None and 'data-api="/api/v1/devices/pairings"' in form.group(0)
    assert 'data-then="pairing-qr"' in form.group(0) and f'name="driver_id" value="{driver_id}"' in form.group(0)
    assert f'<label for="pair-{driver_id}-vehicle_id"' in form.group(0)
    assert 'aria-label="Show pairing QR code for Jan Kowalski">Show pairing QR code</button>' in form.group(0)
    assert "js/pairing.js" in html and 'id="pairing-result"' in html and '"pair_qr_alt"' in html
    made = client.post("/api/v1/devices/pairings", json={"driver_id": driver_id},
                       headers={"X-Requested-With": "haul-dashboard", **SAME_SITE})
    assert made.status_code == 201 and made.get_json()["qr_svg"].startswith("<svg")


def test_pairing_section_in_simplified_chinese(client, make_party):
    """With ?lang=zh_CN the section, its button and the script's words are Chinese."""
    carrier = make_party("carrier")
    _driver(client, carrier, "李伟")
    _sign_in(client, carrier)
    html = client.get("/carrier?lang=zh_CN", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "显示配对二维码" in html and "司机：为手机配对" in html and "Show pairing QR code" not in html
    strings = json.loads(re.search(r'<script type="application/json" id="haul-strings">(.*?)</script>', html).group(1))
    assert strings["pair_qr_alt"] == "配对二维码：{name}" and "{time}" in strings["pair_until"]
