"""Authentication (sessions, bearer tokens, device credentials), roles and tenant scoping."""
