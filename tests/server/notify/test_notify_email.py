"""E-mail as a channel: sent outside the request over real SMTP (aiosmtpd), in the reader's language, per the
user's choices (immediate or daily digest), retried when the server is busy, and turned off when the address bounces."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import EmailMessage, User
from server.notify.email_sender import purge_old, run_round, send_digests, send_due
from server.notify.publish import publish_event

LATER = timedelta(minutes=1)


def _now():
    from server import clock

    return clock.now()


def _set_language(party, language):
    db.session.get(User, party.user.id).language = language
    db.session.commit()


def _statuses(party) -> list[str]:
    return list(db.session.scalars(select(EmailMessage.status).where(EmailMessage.user_id == party.user.id)
                                   .order_by(EmailMessage.id)))


def test_an_outbid_carrier_gets_an_email_in_its_language(client, make_party, smtp):
    """The outbid carrier's user gets one e-mail, in Chinese for a Chinese reader, with a link to the board row."""
    from server.market import outcomes
    from tests.server.market.market_factory import make_board, tender_body

    board = make_board(make_party, carriers=2)
    a, b = board.carriers
    _set_language(a, "zh_CN")
    load = board.load()
    tender = client.post(f"/api/v1/loads/{load.id}/tenders", headers=board.seller.headers,
                         json=tender_body("auction")).get_json()
    for party, price in ((a, 1100), (b, 1050)):
        assert client.post(f"/api/v1/tenders/{tender['id']}/bids", headers=party.headers,
                           json={"price": price}).status_code == 201
    assert outcomes.flush()
    assert smtp.received == []  # nothing is sent in the request
    report = run_round(_now() + LATER)
    mails = smtp.to(a.user.email)
    assert report.sent >= 1 and len(mails) == 1
    assert "出价被超越" in mails[0]["Subject"] and load.reference in mails[0]["Subject"]
    assert f"/carrier#tender-{tender['id']}" in mails[0].get_content()
    assert not [m for m in smtp.to(b.user.email) if "outbid" in m["Subject"]]


def test_a_bounce_at_send_time_turns_email_off_and_says_so_in_the_app(client, make_party, smtp):
    """A 550 to RCPT: the mail is 'bounced', e-mail is off for that user, the user is told in the app, and the
    settings say why; later notifications are not mailed; turning e-mail on again clears the bounce."""
    carrier = make_party("carrier")
    smtp.refuse[carrier.user.email.lower()] = "550 5.1.1 No such user"
    publish_event("won", organisation_ids=[carrier.id], data={"reference": "LD-9", "price": 900})
    report = send_due(_now() + LATER)
    assert report.bounced == [carrier.user.id] and _statuses(carrier) == ["bounced"]
    notes = client.get("/api/v1/notifications", headers=carrier.headers).get_json()["items"]
    assert notes[0]["kind"] == "email_disabled" and "bounced" in notes[0]["title"]
    prefs = client.get("/api/v1/email-settings", headers=carrier.headers).get_json()
    assert prefs["enabled"] is False and "550" in prefs["disabled_reason"]
    publish_event("won", organisation_ids=[carrier.id], data={"reference": "LD-10", "price": 900})
    assert _statuses(carrier) == ["bounced"]  # nothing more is queued for a dead address
    r = client.put("/api/v1/email-settings", headers=carrier.headers,
                   json={"enabled": True, "mode": "immediate", "kinds": ["won"]})
    assert r.status_code == 200 and r.get_json()["disabled_reason"] is None


def test_a_bounced_user_is_not_told_to_the_rest_of_the_organisation(client, make_party, smtp):
    """The bounce notification is the bouncing user's alone: a colleague in the same organisation does not see it."""
    carrier = make_party("carrier")
    colleague_user = User(organisation_id=carrier.id, email="colleague@carrier.test", name="Colleague",
                          password_hash="x", roles=["admin"])
    db.session.add(colleague_user)
    db.session.commit()
    from server.auth.principal import issue_token

    token, _ = issue_token(carrier.id, "colleague", ["admin"], user_id=colleague_user.id, kind="session")
    db.session.commit()
    smtp.refuse[carrier.user.email.lower()] = "550 5.1.1 No such user"
    publish_event("won", organisation_ids=[carrier.id], data={"reference": "LD-9", "price": 900})
    send_due(_now() + LATER)
    seen = client.get("/api/v1/notifications", headers={"Authorization": f"Bearer {token}"}).get_json()["items"]
    assert [n["kind"] for n in seen] == ["won"]
    assert len(smtp.to("colleague@carrier.test")) == 1


def test_a_transient_refusal_is_retried_with_backoff(client, make_party, smtp):
    """A 451 leaves the mail pending for a later attempt, which succeeds once the server accepts."""
    carrier = make_party("carrier")
    smtp.refuse[carrier.user.email.lower()] = "451 4.3.0 Try again later"
    publish_event("lost", organisation_ids=[carrier.id], data={"reference": "LD-3", "your_price": 1000})
    first = _now() + LATER
    assert send_due(first).retrying == 1 and _statuses(carrier) == ["pending"]
    assert send_due(first).sent == 0  # not due again at once
    smtp.refuse.clear()
    assert send_due(first + timedelta(minutes=5)).sent == 1 and _statuses(carrier) == ["sent"]


def test_a_digest_reader_gets_one_mail_a_day(client, make_party, smtp):
    """In digest mode nothing goes out at once; after the digest hour one e-mail lists everything, once a day."""
    carrier = make_party("carrier")
    r = client.put("/api/v1/email-settings", headers=carrier.headers,
                   json={"enabled": True, "mode": "digest", "kinds": ["won", "lost"]})
    assert r.status_code == 200
    publish_event("won", organisation_ids=[carrier.id], data={"reference": "LD-1", "price": 900})
    publish_event("lost", organisation_ids=[carrier.id], data={"reference": "LD-2", "your_price": 950})
    publish_event("outbid", organisation_ids=[carrier.id], data={"reference": "LD-3"})  # not chosen
    assert send_due(_now() + LATER).sent == 0 and smtp.received == []
    morning = datetime(2030, 1, 2, 8, 0, tzinfo=UTC)
    assert send_digests(morning).digests == 1
    (mail,) = smtp.to(carrier.user.email)
    body = mail.get_content()
    assert "2 notifications" in mail["Subject"] and "LD-1" in body and "LD-2" in body and "LD-3" not in body
    publish_event("won", organisation_ids=[carrier.id], data={"reference": "LD-4", "price": 900})
    assert send_digests(morning + timedelta(hours=2)).digests == 0  # once a day
    assert send_digests(morning + timedelta(days=1)).digests == 1


@pytest.mark.parametrize("body,path", [
    ({"enabled": True, "mode": "hourly", "kinds": []}, "mode"),
    ({"enabled": True, "mode": "digest", "kinds": ["won", "nonsense"]}, "kinds/1"),
    ({"mode": "digest", "kinds": []}, "enabled"),
])
def test_bad_email_settings_name_the_field(client, make_party, body, path):
    """Bad e-mail settings are a 422 problem naming the field."""
    carrier = make_party("carrier")
    r = client.put("/api/v1/email-settings", headers=carrier.headers, json=body)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert path in {e["path"] for e in r.get_json()["errors"]}


def test_a_bounce_report_from_the_mail_system_turns_email_off(client, make_party, operator):
    """Operators report a bounced address: its user's e-mail goes off; anyone else gets 403."""
    carrier = make_party("carrier")
    body = {"address": carrier.user.email.upper(), "reason": "550 mailbox unavailable (async bounce)"}
    assert client.post("/api/v1/email/bounces", headers=carrier.headers, json=body).status_code == 403
    r = client.post("/api/v1/email/bounces", headers=operator, json=body)
    assert r.status_code == 200 and r.get_json() == {"disabled": True}
    assert client.get("/api/v1/email-settings", headers=carrier.headers).get_json()["enabled"] is False
    assert client.post("/api/v1/email/bounces", headers=operator, json=body).get_json() == {"disabled": False}


def test_no_smtp_server_means_nothing_is_queued(client, make_party):
    """Without HAUL_SMTP_HOST the e-mail channel is off: notifications stay in the app only."""
    carrier = make_party("carrier")
    publish_event("won", organisation_ids=[carrier.id], data={"reference": "LD-1", "price": 900})
    assert _statuses(carrier) == []


def test_finished_emails_are_forgotten_after_the_retention(client, make_party, smtp):
    """Sent e-mails older than the retention are purged; newer ones stay."""
    carrier = make_party("carrier")
    publish_event("won", organisation_ids=[carrier.id], data={"reference": "LD-1", "price": 900})
    send_due(_now() + LATER)
    assert purge_old(30, now=_now() + timedelta(days=29)) == 0 and _statuses(carrier) == ["sent"]
    assert purge_old(30, now=_now() + timedelta(days=31)) == 1 and _statuses(carrier) == []


def _self_signed(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    import subprocess

    cert, key = folder / "smtp.pem", folder / "smtp.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return str(cert), str(key)


def test_starttls_is_verified_against_the_configured_ca(app, client, make_party, monkeypatch, tmp_path):
    """With HAUL_SMTP_STARTTLS the mail goes over TLS to a server whose certificate verifies; an unknown
    certificate is a transient failure (retried), never a plain-text send."""
    import ssl

    from tests.server.notify.smtp_server import SmtpServer

    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    carrier = make_party("carrier")
    with SmtpServer(tls_context=context) as server:
        for name, value in (("HOST", "127.0.0.1"), ("PORT", server.port), ("STARTTLS", "1")):
            monkeypatch.setitem(app.config, f"HAUL_SMTP_{name}", value)
        publish_event("won", organisation_ids=[carrier.id], data={"reference": "LD-1", "price": 900})
        assert send_due(_now() + LATER).retrying == 1 and server.received == []  # not the system's CA
        monkeypatch.setitem(app.config, "HAUL_SMTP_CA_FILE", cert)
        assert send_due(_now() + timedelta(minutes=5)).sent == 1
        assert len(server.to(carrier.user.email)) == 1
