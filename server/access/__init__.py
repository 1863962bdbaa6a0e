"""Inside an organisation: custom roles, departments (``server.auth`` decides; this package manages)."""
