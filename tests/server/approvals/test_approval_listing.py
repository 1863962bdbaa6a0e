"""Listing approval requests costs the same few queries for a page of many as for a page of one."""

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def _counted():
    from server.extensions import db

    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _requests(party, number: int) -> None:
    """``number`` pending requests of the party, each under its own rule and with one decision."""
    from server.extensions import db
    from server.models import ApprovalDecision, ApprovalRequest, ApprovalRule

    for n in range(number):
        rule = ApprovalRule(organisation_id=party.id, name=f"rule {n}", action="award", metric="price", threshold=1,
                            levels=[{"mode": "any", "role": "admin", "user_ids": []}] * 2)
        db.session.add(rule)
        db.session.flush()
        row = ApprovalRequest(organisation_id=party.id, rule_id=rule.id, object_type="award", object_id=n + 1,
                              status="pending", level=1, levels=rule.levels, measured=2)
        db.session.add(row)
        db.session.flush()
        db.session.add(ApprovalDecision(request_id=row.id, level=0, user_id=party.user.id, decision="approve",
                                        comment=f"level 0 of {n}"))
    db.session.commit()


def _listed(client, party) -> tuple[int, dict]:
    from server.extensions import db

    db.session.expire_all()  # nothing of the rows is in the identity map from making them
    with _counted() as seen:
        r = client.get("/api/v1/approvals", headers=party.headers)
    assert r.status_code == 200
    return len(seen), r.get_json()


def test_listing_approvals_makes_no_queries_per_row(client, make_party):
    """One request or six: the same number of statements (was two more per row: its rule, its history)."""
    few, many = make_party("seller"), make_party("seller")
    _requests(few, 1)
    _requests(many, 6)
    one, _ = _listed(client, few)
    six, body = _listed(client, many)
    assert six == one, (one, six)
    assert body["total"] == 6 and {item["rule_name"] for item in body["items"]} == {f"rule {n}" for n in range(6)}
    assert all(len(item["history"]) == 1 and item["history"][0]["comment"].startswith("level 0") for item in body["items"])
