"""The plant side of a shipment: dock appointments, gate check-in, the yard queue and evidence.

Services here load rows, call the pure engines (``server.engines.docks`` for slots and
re-plans, ``server.engines.evidence_chain`` for the hash chain) and save the outcome:

* ``site_time``: a site's local days and opening hours as engine minutes
* ``engine_input``: docks, loads and appointments as the dock engine's plain data
* ``slots`` / ``booking`` / ``booking_rules``: slots offered for a load, and booking them under the
  site's rules (lead time, move and cancel cut-offs, no-show grace, free time)
* ``lateness``: no-shows that free the dock, late arrivals into the next free gap; ``no_show_sweep``:
  the same at every site on time (``haul yard sweep``)
* ``day_plan`` / ``replanning`` / ``eta`` / ``jobs``: planning a site's day, re-planning when an
  ETA changes or a truck is called, and both as background jobs
* ``authorization`` / ``gate`` / ``visits`` / ``flow`` / ``queue``: the buyer's pickup
  authorization as the gate sees it, check-in, the visit state machine, the queue and dock calls
* ``arrivals``: what the GPS ingest tells the yard (geofence check-in, new pickup ETAs)
* ``metrics``: waiting time, dock utilisation and on-time arrival per site and day
* ``kpis``: on-time %, dwell (mean, p90), detention and dock utilisation per day or carrier
* ``gate_console``: the gate console's reading of a pass (scanned token or typed plate) at one site
* ``evidence`` / ``evidence_store`` / ``pod`` / ``device_forms``: the append-only, hash-chained
  evidence of a load, and the driver app's forms for it
* ``notify`` (Socket.IO and the driver's MQTT inbox), ``refusals`` (the one error type),
  ``locking`` (row locks and constraint errors per dialect)

HTTP layer: ``dock_routes`` (slots, appointments, ETAs, a site's schedule), ``gate_routes``
(check-in, visits, queue, metrics), ``plant_routes`` (booking rules, KPIs, no-shows), ``console_routes``
(the gate console: read a pass, check in), ``evidence_routes`` (evidence and proof of delivery).
"""
