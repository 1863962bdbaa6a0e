"""Victim objects of the tracking feature for the tenant-isolation matrix (tests/server/auth).

The lead adds ``market.update(tracking_victim(client, seller, market["load_id"]))`` to its victim
fixture, right after the ``notify_victim`` line (before the job: a request there would detach it),
so the matrix can fill ``<link_id>`` and ``<token>``.
"""

from __future__ import annotations


def tracking_victim(client, seller, load_id: int) -> dict:
    """A live link on the victim's load (its id), and a token that opens nothing.

    ``/api/v1/track/<token>`` is public on purpose: a live token answers 200 to anyone, so the
    matrix gets an unknown token, which must answer 404 for every caller.
    """
    link = client.post(f"/api/v1/loads/{load_id}/tracking-links", headers=seller.headers,
                       json={"ttl_hours": 1}).get_json()
    return {"link_id": link["id"], "token": "not-a-live-tracking-token"}
