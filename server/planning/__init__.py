"""Planning services: load orders and fleets from the database, call a pure engine, save results."""
