"""Multi-drop loads: one pickup and one delivery stop per buyer's order on one truck.

``building`` makes the stops when a load plan puts several orders (several buyers or delivery
sites) on one load; ``views`` narrows a load to what each party may see (a buyer: its own
stops, goods, ETA and proof); ``routes`` lists the stops and takes a proof of delivery per stop.
"""
