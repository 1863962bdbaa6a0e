"""The in-app notification API: scoped to the caller's organisation (and user), paginated, marked read."""

from server.extensions import db
from server.models import Notification
from server.notify.publish import publish_event


def test_each_organisation_lists_only_its_notifications_newest_first(client, make_party):
    """Seller and buyer each see their own copy; a stranger sees none; pages are bounded."""
    seller, buyer, stranger = make_party("seller"), make_party("buyer"), make_party("seller")
    for n in range(3):
        publish_event("eta_changed", organisation_ids=[seller.id, buyer.id], load_id=10 + n, data={"n": n})
    page = client.get("/api/v1/notifications?limit=2", headers=seller.headers).get_json()
    assert page["total"] == 3 and page["unread"] == 3 and page["limit"] == 2
    assert [item["data"]["n"] for item in page["items"]] == [2, 1]
    assert page["items"][0]["kind"] == "eta_changed" and page["items"][0]["event_id"].startswith("evt_")
    rest = client.get("/api/v1/notifications?limit=2&offset=2", headers=seller.headers).get_json()
    assert [item["data"]["n"] for item in rest["items"]] == [0]
    assert client.get("/api/v1/notifications", headers=buyer.headers).get_json()["total"] == 3
    assert client.get("/api/v1/notifications", headers=stranger.headers).get_json() == {
        "items": [], "total": 0, "unread": 0, "limit": 50, "offset": 0}
    assert client.get("/api/v1/notifications").status_code == 401


def test_marking_read_is_per_organisation_and_filters_follow(client, make_party):
    """Reading one's copy leaves the other party's unread; unread, kind and load filters narrow the list."""
    seller, buyer = make_party("seller"), make_party("buyer")
    publish_event("arrived", organisation_ids=[seller.id, buyer.id], load_id=7, data={})
    publish_event("departed", organisation_ids=[seller.id, buyer.id], load_id=8, data={})
    mine = client.get("/api/v1/notifications", headers=seller.headers).get_json()["items"]
    r = client.post(f"/api/v1/notifications/{mine[0]['id']}/read", headers=seller.headers)
    assert r.status_code == 200 and r.get_json()["read_at"]
    again = client.post(f"/api/v1/notifications/{mine[0]['id']}/read", headers=seller.headers).get_json()
    assert again["read_at"] == r.get_json()["read_at"]
    listed = client.get("/api/v1/notifications?unread=true", headers=seller.headers).get_json()
    assert [i["kind"] for i in listed["items"]] == ["arrived"] and listed["unread"] == 1
    assert client.get("/api/v1/notifications?unread=false", headers=seller.headers).get_json()["total"] == 1
    assert client.get("/api/v1/notifications?kind=departed", headers=seller.headers).get_json()["total"] == 1
    by_load = client.get("/api/v1/notifications?load_id=7", headers=seller.headers).get_json()["items"]
    assert [i["load_id"] for i in by_load] == [7]
    assert client.get("/api/v1/notifications", headers=buyer.headers).get_json()["unread"] == 2
    marked = client.post("/api/v1/notifications/read-all", headers=buyer.headers).get_json()
    assert marked == {"marked": 2}
    assert client.get("/api/v1/notifications", headers=buyer.headers).get_json()["unread"] == 0
    assert client.get("/api/v1/notifications", headers=seller.headers).get_json()["unread"] == 1


def test_another_organisations_notification_cannot_be_marked(client, make_party):
    """A foreign or missing notification id answers 404 and stays unread."""
    seller, stranger = make_party("seller"), make_party("seller")
    publish_event("delivered", organisation_ids=[seller.id], data={})
    [note] = client.get("/api/v1/notifications", headers=seller.headers).get_json()["items"]
    assert client.post(f"/api/v1/notifications/{note['id']}/read", headers=stranger.headers).status_code == 404
    assert client.post("/api/v1/notifications/99999999999/read", headers=stranger.headers).status_code == 404
    assert client.get("/api/v1/notifications", headers=seller.headers).get_json()["unread"] == 1


def test_a_notification_for_one_user_is_hidden_from_colleagues(client, make_party):
    """A notification addressed to a user is listed for that user only, not the rest of the organisation."""
    alice = make_party("seller")
    bob = make_party("seller")  # another organisation; its member is moved into alice's below
    from server.models import User

    db.session.get(User, bob.user.id).organisation_id = alice.id
    db.session.add(Notification(organisation_id=alice.id, user_id=alice.user.id, kind="exception", payload={}))
    db.session.commit()
    assert client.get("/api/v1/notifications", headers=alice.headers).get_json()["total"] == 1
    assert client.get("/api/v1/notifications", headers=bob.headers).get_json()["total"] == 0


def test_a_driver_sees_only_what_is_addressed_to_them_not_the_carriers_office_news(client, make_party):
    """A driver-only login lists, and may mark read, only notifications for its own user: never the carrier's
    bills, won prices or other drivers' loads, nor clears the office's unread ones."""
    from server.auth.principal import issue_token
    from server.models import User

    office = make_party("carrier")
    driver = User(organisation_id=office.id, email="driver@carrier.test", name="Jan", password_hash="x",
                  roles=["driver"])
    db.session.add(driver)
    db.session.flush()
    token, _ = issue_token(office.id, "driver app", ["driver"], user_id=driver.id, kind="session")
    db.session.add(Notification(organisation_id=office.id, user_id=driver.id, kind="email_disabled", payload={}))
    db.session.commit()
    publish_event("bill_issued", organisation_ids=[office.id], data={"bill_id": 5})
    publish_event("won", organisation_ids=[office.id], load_id=77, data={"reference": "L-77", "price": 900})
    headers = {"Authorization": f"Bearer {token}"}

    page = client.get("/api/v1/notifications", headers=headers).get_json()
    assert [item["kind"] for item in page["items"]] == ["email_disabled"] and page["unread"] == 1
    office_items = client.get("/api/v1/notifications", headers=office.headers).get_json()["items"]
    bill = next(item for item in office_items if item["kind"] == "bill_issued")
    assert client.post(f"/api/v1/notifications/{bill['id']}/read", headers=headers).status_code == 404
    assert client.post("/api/v1/notifications/read-all", headers=headers).get_json() == {"marked": 1}
    assert client.get("/api/v1/notifications", headers=office.headers).get_json()["unread"] == 2
    phone, _ = issue_token(office.id, "paired phone", ["driver"])  # a driver token without a user
    assert client.get("/api/v1/notifications", headers={"Authorization": f"Bearer {phone}"}).get_json()["total"] == 0
