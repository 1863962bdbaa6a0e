"""The carrier marketplace: tenders, bids, grabs, awards, scorecards and pickup authorizations.

Pure rules (no Flask, no SQLAlchemy): ``states`` (load and tender state machines),
``bid_rules`` (tender terms, bid validation), ``award_rules`` (award policies),
``qualification`` (truck fits load), ``scorecard`` (last-N-loads scores and seller
thresholds), ``schedule`` (widening radius, sequential offers), ``pickup_token`` (signed,
expiring pickup tokens) and ``refusals`` (the one error type, with a reason code).

Services over the database: ``tendering`` (open, cancel, lazy refresh, sweep), ``bidding``
(bids and grabs; the hot bid path reads with ``tender_row`` and writes with ``bid_insert``,
one statement each), ``awarding`` (the one-award conditional UPDATE), ``audience`` (who may act
and who is told), ``nearby`` (per-dialect distance test), ``scoring``, ``assignment``
(truck and driver, carrier withdrawal), ``pickup`` (issue, revoke, verify at the gate),
``notify`` (Socket.IO and driver inbox, queued through ``fanout`` when a message queue is
set) and ``sweeper`` (the periodic sweep thread; ``haul market sweep`` is in ``server.cli``).

HTTP layer: ``load_routes`` (loads, opening a tender, assigning truck and driver), ``tender_routes``
(the board, bids, grabs, declines, cancel), ``award_routes`` (awards, scorecards, settings),
``pickup_routes`` (pickup authorizations and the gate's verify), ``driver_routes`` (the signed-in
driver's assignments); ``schemas`` and ``views`` (how a tender looks to each party) are shared by
them and by the dashboards.
Time comes from ``server.clock``, the server's one clock.
"""
