"""Orders: the ERP's outbound orders, posted as JSON (``routes``) or imported as CSV (``import_routes``),
both through ``intake`` (references checked, idempotency key, the seller told)."""
