"""Freight settlement: rate agreements, accessorials from recorded facts, freight bills, the payer's audit,
disputes, payments and reconciliation statements (docs/architecture.md, "Settlement")."""
