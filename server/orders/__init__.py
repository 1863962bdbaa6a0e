"""Orders: the ERP's outbound orders, posted as JSON (``routes``) or imported as CSV (``import_routes``:
at once, or as a background ``import_job``; parsing, per-order creation and the one summary event in
``csv_import``), all through ``intake`` (references checked, idempotency key, the parties told)."""
