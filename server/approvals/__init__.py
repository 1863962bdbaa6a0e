"""Approval chains: rules an organisation configures, requests, decisions, delegation, reminders."""
