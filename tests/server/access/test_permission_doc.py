"""docs/permissions.md is what the app's routes say (regenerate: ``python -m server.auth.permission_doc``)."""

from pathlib import Path

from server.auth.permission_doc import guarded_endpoints, render

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


def test_the_permission_doc_matches_the_routes(app):
    assert DOC.read_text(encoding="utf-8") == render(app), \
        "docs/permissions.md is stale: python -m server.auth.permission_doc > docs/permissions.md"


def test_the_money_endpoints_ask_for_view_finances(app):
    listed = guarded_endpoints(app)["view_finances"]
    for line in ("GET /api/v1/freight-bills", "GET /api/v1/statements", "GET /api/v1/loads/{load_id}/money",
                 "GET /api/v1/disputes", "GET /api/v1/rate-agreements"):
        assert line in listed, line
