"""The audit trail shared by every stage: ``trail.record`` in the change's transaction, search and CSV export."""
