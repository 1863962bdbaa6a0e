"""The application factory: ``create_app(config)`` builds and wires the Flask app."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, g

from server.auth.bearer_session import BearerSkipsCookieSession
from server.auth.principal import persist_token_mark
from server.config import is_sqlite, load_config
from server.db.spatial import prepare_engine, sqlite_engine_options
from server.errors import register_error_handlers
from server.extensions import api, db, login_manager, migrate, socketio


def create_app(overrides: dict | None = None) -> Flask:
    config = load_config(overrides)
    web = Path(__file__).parent / "web"
    app = Flask(__name__, instance_path=config["HAUL_INSTANCE_DIR"], static_folder=str(web / "static"))
    app.config.update(config)
    app.session_interface = BearerSkipsCookieSession()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    engine_options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    if is_sqlite(url):
        engine_options.update(sqlite_engine_options())
    else:
        engine_options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options

    import server.models  # noqa: F401  (registers every table before migrations look)

    # Before socketio.init_app: Flask-SocketIO keeps handlers for later apps only if they are
    # declared while no server exists yet.
    import server.sockets  # noqa: F401

    db.init_app(app)
    with app.app_context():
        prepare_engine(db.engine)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth_pages.login"
    # threading for `haul serve`/`demo`; gevent or eventlet under gunicorn (docs/deployment.md).
    # On Redis, a manager that also delivers the ingest workers' batched live frames (live_batches.py).
    from server.tracking.live_batches import client_manager

    socketio.init_app(app, message_queue=app.config["REDIS_URL"] or None, channel=app.config["SOCKETIO_CHANNEL"],
                      client_manager=client_manager(app.config["REDIS_URL"], app.config["SOCKETIO_CHANNEL"]),
                      async_mode=app.config["ASYNC_MODE"], cors_allowed_origins=[])
    api.init_app(app)

    from server.api import register_api
    from server.realtime import driver_inbox
    from server.web.auth_pages import blp as auth_pages_blp
    from server.web.i18n import init_i18n
    from server.web.pages import blp as pages_blp

    driver_inbox.configure(app.config["MQTT_URL"])
    # JSON errors first: the pages blueprint then adds its HTML handlers, which override these for
    # people and hand API callers back to them.
    register_error_handlers(app)
    register_api(api)
    app.register_blueprint(pages_blp)
    app.register_blueprint(auth_pages_blp)
    init_i18n(app)

    from server.notify.worker import init_app as init_webhook_delivery

    init_webhook_delivery(app)

    @app.teardown_request
    def _end_session(_exc):
        # Each request gets a fresh session even when a caller (a test, a CLI) holds an app
        # context across requests; otherwise reads would come from a stale identity map.
        db.session.remove()
        persist_token_mark()  # on its own connection, now that the request's is back in the pool
        # Flask-Login and Flask-Babel cache the user and the locale on g, which outlives the request
        # when a caller holds the app context.
        for key in ("_login_user", "_flask_babel"):
            g.pop(key, None)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return app


def _migrations_dir() -> Path:
    return Path(__file__).parent / "migrations"
