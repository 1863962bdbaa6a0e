"""Load and route planning: ``load_plans`` (orders -> truckloads, preview then commit) and ``route_plans``
(a carrier's trucks over its awarded loads, as a background job), each loading from the database,
calling a pure engine (``server.engines``) and saving the result; ``routes`` is their HTTP layer."""
