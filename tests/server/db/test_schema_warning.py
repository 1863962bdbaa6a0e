"""`haul serve` warns when the database's schema is not the code's."""

from server.app import create_app
from server.db.migrate import head_revision, schema_warning, upgrade_to_head


def test_a_database_never_migrated_gets_the_upgrade_hint_until_it_is_migrated(tmp_path):
    """A fresh database names the missing schema and the command; after the upgrade there is nothing to say."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.db'}",
                      "HAUL_INSTANCE_DIR": str(tmp_path), "WEBHOOK_THREAD": False})
    with app.app_context():
        warning = schema_warning()
        assert warning is not None and "haul db upgrade" in warning and head_revision() in warning
        upgrade_to_head()
        assert schema_warning() is None
