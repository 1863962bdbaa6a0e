"""Each notification reads in its reader's language and links to its object; no organisation sees another's."""

from server.extensions import db
from server.models import User
from server.notify.kinds import KINDS
from server.notify.messages import TITLES
from server.notify.publish import publish_event


def test_titles_follow_the_reader_language_and_link_to_the_object(client, make_party):
    """The same stored notification reads in Chinese for a Chinese user and in English with ?lang=en."""
    carrier = make_party("carrier")
    db.session.get(User, carrier.user.id).language = "zh_CN"
    db.session.commit()
    publish_event("outbid", organisation_ids=[carrier.id],
                  data={"tender_id": 7, "load_id": 3, "reference": "LD-7", "your_price": 1100, "lead_price": 1050})
    publish_event("won", organisation_ids=[carrier.id], load_id=3, data={"reference": "LD-7", "price": 1050})
    won, outbid = client.get("/api/v1/notifications", headers=carrier.headers).get_json()["items"]
    assert outbid["title"] == "您在 LD-7 的出价被超越：领先价 1,050，您的出价 1,100"
    assert outbid["url"] == "/carrier#tender-7" and won["url"] == "/loads/3"
    english = client.get("/api/v1/notifications?lang=en", headers=carrier.headers).get_json()["items"]
    assert english[0]["title"] == "You won LD-7 at 1,050"


def test_every_kind_has_words(app):
    """Every public kind has a sentence of its own, and a missing field never breaks it."""
    from server.notify.messages import title

    assert set(KINDS) <= set(TITLES)
    with app.test_request_context():
        assert all(title(kind, {}) for kind in KINDS)


def test_another_organisation_neither_sees_nor_marks_a_notification(client, make_party):
    """A carrier's outbid notice is invisible to a rival carrier, which gets 404 marking it read."""
    mine, rival = make_party("carrier"), make_party("carrier")
    publish_event("outbid", organisation_ids=[mine.id], data={"tender_id": 1, "reference": "LD-1"})
    note = client.get("/api/v1/notifications", headers=mine.headers).get_json()["items"][0]
    assert client.get("/api/v1/notifications", headers=rival.headers).get_json()["items"] == []
    r = client.post(f"/api/v1/notifications/{note['id']}/read", headers=rival.headers)
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    marked = client.post(f"/api/v1/notifications/{note['id']}/read", headers=mine.headers).get_json()
    assert marked["read_at"] and marked["title"]
