"""Services: load from the database, call engines or rules, save the result."""
