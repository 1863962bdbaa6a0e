"""The bell on every dashboard, the e-mail settings page, and the bounce warning, in English and Chinese."""

from sqlalchemy import select

from server import clock
from server.extensions import db
from server.models import EmailSettings
from server.notify.email_outbox import disable_for_bounce
from tests.conftest import TEST_PASSWORD


def _sign_in(client, party):
    assert client.post("/api/v1/auth/login", json={"email": party.user.email, "password": TEST_PASSWORD}).status_code == 200


def test_every_dashboard_has_the_bell(client, make_party):
    """Seller, buyer and carrier dashboards carry the bell and its script."""
    for kind in ("seller", "buyer", "carrier"):
        party = make_party(kind)
        _sign_in(client, party)
        html = client.get(f"/{kind}").get_data(as_text=True)
        assert 'id="bell-button"' in html and "js/notifications.js" in html, kind
        client.post("/logout")


def test_settings_page_shows_the_choices_and_the_bounce_in_chinese(client, make_party):
    """After a bounce the settings page and the bell say e-mail is off, in the page's language."""
    carrier = make_party("carrier")
    disable_for_bounce(db.session, carrier.user.id, "550 5.1.1 No such user", clock.now())
    db.session.commit()
    assert db.session.scalar(select(EmailSettings.enabled).where(EmailSettings.user_id == carrier.user.id)) is False
    _sign_in(client, carrier)
    html = client.get("/notifications/settings?lang=zh_CN").get_data(as_text=True)
    assert "邮件设置" in html and "550 5.1.1 No such user" in html and 'id="email-bounced"' in html
    assert "我的出价被超越" in html  # the kinds a user may choose, in Chinese
    dashboard = client.get("/carrier").get_data(as_text=True)
    assert "电子邮件通知已关闭" in dashboard
