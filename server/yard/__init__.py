"""The plant side of a shipment: dock appointments, gate check-in, the yard queue and evidence.

Services here load rows, call the pure engines (``server.engines.docks`` for slots and
re-plans, ``server.engines.evidence_chain`` for the hash chain) and save the outcome:

* ``site_time``: a site's local days and opening hours as engine minutes
* ``engine_input``: docks, loads and appointments as the dock engine's plain data
* ``slots`` / ``booking``: slots offered for a load, and booking them under the rules
* ``planning``: planning a site's day and re-planning when an ETA changes
* ``visits`` / ``gate`` / ``queue``: the yard visit state machine, check-in, queue and dock calls
* ``metrics``: waiting time, dock utilisation and on-time arrival per site and day
* ``evidence`` / ``evidence_store`` / ``pod``: the append-only, hash-chained evidence of a load
"""
