"""``haul demo``'s demo day: simulated users drive the real product through its public API.

A day: the seller posts orders and builds loads, tenders them; simulated carriers grab or bid;
the winners assign trucks and drivers and plan their routes; the buyers authorize the pickups;
the plant books its dock schedule; simulated drivers (the driver app's Kivy-free core on a
simulated GPS) publish positions over MQTT to the embedded broker, check in at the gate, are
called to docks, load, leave and deliver with a proof of delivery. Then the next day starts.

Modules:
    launcher   the ``haul demo`` process: database, broker + ingest, the server, the director
    director   the reconciler loop: looks at every load of the day and takes its next step
    cast       the demo's people (logins from the seed) and what they can see of their world
    api        a signed-in HTTP session (bearer token) with problem+json errors
    pace       the time-acceleration factor and per-step timers
    orders     the day's order book, and load building
    market     tendering, carriers grabbing and bidding, and the winner's assignment
    routes     each carrier's route plan (a server job), giving the drivers their waypoints
    pickup     the buyer's pickup authorization and the plant's dock schedule
    yard       gate check-in, the dock manager's queue, loading evidence, proof of delivery
    drivers    simulated drivers: device credentials, MQTT, outbox, simulated GPS legs
    state      the day's state file, so a restart resumes the day instead of duplicating it
    artwork    tiny PNG images (a photo, a signature) for evidence and proofs of delivery
"""
