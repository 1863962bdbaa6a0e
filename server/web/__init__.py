"""Server-rendered pages for people (dashboards, sign-in, error pages)."""
