"""The carrier's dashboard lists its device logins suspended for garbage, each with a labelled reinstate button
that works from the page's session, in both languages; others' logins and people without the right see none."""

import re

from gps_ingest.device_brake import SUSPENDED
from server.extensions import db
from server.tracking.device_abuse import DeviceAbuseReporter
from tests.conftest import SAME_SITE, TEST_PASSWORD
from tests.server.tracking.http_device_factory import credential

DASHBOARD = {"X-Requested-With": "haul-dashboard", **SAME_SITE}


def _sign_in(client, party):
    assert client.post("/api/v1/auth/login", json={"email": party.user.email, "password": TEST_PASSWORD}).status_code == 200


def _suspended(client, carrier, vehicle, username):
    login = credential(client, carrier, vehicle, username=username)
    assert DeviceAbuseReporter(db.engine, background=False).report(f"login:{username}", SUSPENDED, 3000) == [username]
    db.session.rollback()
    return login


def _page(client, lang=""):
    return client.get(f"/carrier{lang}", headers={"Accept": "text/html"}).get_data(as_text=True)


def test_a_suspended_login_has_a_reinstate_button_that_lets_it_in_again(client, fleet):
    """One row per suspended login of this carrier, a form to the reinstate API; pressing it clears the row."""
    carrier, (vehicle,) = fleet(1)
    other, (other_vehicle,) = fleet(1)
    login = _suspended(client, carrier, vehicle, "susp-page-a")
    credential(client, carrier, vehicle, username="live-page-b")
    _suspended(client, other, other_vehicle, "susp-page-other")
    _sign_in(client, carrier)
    html = _page(client)
    assert '<h3 id="suspended-h">Suspended device logins</h3>' in html
    row = re.search(rf'<tr data-credential-id="{login["id"]}">.*?</tr>', html, re.S)
    assert row is not None and "susp-page-a" in row.group(0)
    form = row.group(0)
    assert f'data-api="/api/v1/device-credentials/{login["id"]}/reinstate"' in form and 'data-then="reload"' in form
    assert 'aria-label="Reinstate the device login susp-page-a"' in form and ">Reinstate</button>" in form
    assert "live-page-b" not in html and "susp-page-other" not in html
    answer = client.post(f"/api/v1/device-credentials/{login['id']}/reinstate", headers=DASHBOARD)
    assert answer.status_code == 200 and answer.get_json()["suspended_at"] is None
    assert "suspended-h" not in _page(client)


def test_the_section_in_simplified_chinese(client, fleet):
    """With ?lang=zh_CN the heading, the columns and the button are Chinese."""
    carrier, (vehicle,) = fleet(1)
    _suspended(client, carrier, vehicle, "susp-page-zh")
    _sign_in(client, carrier)
    html = _page(client, "?lang=zh_CN")
    assert "已暂停的设备登录" in html and ">恢复</button>" in html and "恢复设备登录 susp-page-zh" in html
    assert "Suspended device logins" not in html and "Reinstate" not in html


def test_a_viewer_without_the_right_to_manage_devices_sees_no_section(client, fleet, make_party):
    """The list is for those who may reinstate: a viewer of the same carrier gets no section."""
    carrier, (vehicle,) = fleet(1)
    _suspended(client, carrier, vehicle, "susp-page-viewer")
    viewer = make_party("carrier", roles=("viewer",))
    viewer.user.organisation_id = carrier.id
    db.session.commit()
    _sign_in(client, viewer)
    html = _page(client)
    assert 'id="drivers-h"' in html and "susp-page-viewer" not in html and "suspended-h" not in html
