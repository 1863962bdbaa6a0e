"""A bearer token's last-used mark is kept whether or not the call itself commits anything."""

from sqlalchemy import text

from server.extensions import db


def _last_used(organisation_id: int):
    with db.engine.connect() as conn:  # outside the request's session: what was committed
        return conn.execute(text("SELECT last_used_at FROM api_tokens WHERE organisation_id = :o"),
                            {"o": organisation_id}).scalar()


def test_a_read_only_call_marks_its_token_used(client, make_party):
    """An ERP that only reads still shows up as using its token."""
    carrier = make_party("carrier")
    assert _last_used(carrier.id) is None
    answer = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {carrier.token}"})
    assert answer.status_code == 200
    assert _last_used(carrier.id) is not None


def test_a_refused_call_marks_its_token_used(client, make_party):
    """A call answered 4xx after the token was checked is still a use of the token."""
    carrier = make_party("carrier")
    answer = client.post("/api/v1/tenders/999999/bids", json={"price": 1.0},
                         headers={"Authorization": f"Bearer {carrier.token}"})
    assert answer.status_code == 404
    assert _last_used(carrier.id) is not None


def test_a_writing_call_keeps_the_mark_of_its_own_transaction(client, make_party):
    """A call that commits carries the mark in that commit; nothing is left for after the response."""
    carrier = make_party("carrier")
    with client.application.test_request_context("/api/v1/auth/me", headers={
            "Authorization": f"Bearer {carrier.token}"}) as rc:
        from server.auth.principal import principal_from_token

        principal_from_token(carrier.token)
        assert "haul.token_mark" in rc.request.environ
        db.session.commit()
        assert "haul.token_mark" not in rc.request.environ
    assert _last_used(carrier.id) is not None
