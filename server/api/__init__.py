"""The REST API under /api/v1: flask-smorest blueprints, which ``create_app`` names one by one."""
