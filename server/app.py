"""The application factory: ``create_app(config)`` builds and wires the Flask app."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, g

from server.auth.bearer_session import BearerSkipsCookieSession
from server.auth.principal import check_before_parsing, persist_token_mark
from server.config import is_sqlite, load_config
from server.db.spatial import prepare_engine, sqlite_engine_options
from server.errors import register_error_handlers
from server.extensions import api, db, login_manager, migrate, socketio
from server.request_guard import init_request_guard


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
    init_request_guard(app)  # after Socket.IO wrapped the app, so the limits hold for its requests too

    from server.realtime import driver_inbox
    from server.tracking.snapshot import register_snapshot_provider
    from server.web.i18n import init_i18n

    driver_inbox.configure(app.config["MQTT_URL"])
    register_snapshot_provider()
    # JSON errors first: the pages blueprint then adds its HTML handlers, which override these for
    # people and hand API callers back to them.
    register_error_handlers(app)
    register_blueprints(app)
    app.before_request(check_before_parsing)  # permissions before bodies: 403, never a 422 to an outsider
    init_i18n(app)

    from server.auth.cross_site import init_app as init_cross_site_checks
    from server.notify.worker import init_app as init_webhook_delivery
    from server.request_limits import init_app as init_request_limits
    from server.security_headers import init_app as init_security_headers

    init_cross_site_checks(app)  # cookie-authenticated state changes come from this site only
    init_security_headers(app)
    init_webhook_delivery(app)
    init_request_limits(app)  # body size in every framing, and body time, before anything reads it

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
    from server.tracking.log_redaction import install as redact_device_ids

    redact_device_ids()  # access logs show a device's secret HTTP id only by its first characters
    return app


def register_blueprints(app: Flask) -> None:
    """Every blueprint of the app, named here, in the order of a shipment's stages."""
    from server.access.department_routes import blp as department_api
    from server.access.role_routes import blp as role_api
    from server.api.auth import blp as auth_api
    from server.api.fleet import blp as fleet_api
    from server.api.organisations import blp as organisation_api
    from server.api.sites import blp as site_api
    from server.api.trading import blp as trading_api
    from server.api.users import blp as user_api
    from server.approvals.request_routes import blp as approval_api
    from server.approvals.rule_routes import blp as approval_rule_api
    from server.audit.audit_routes import blp as audit_api
    from server.broker.auth_routes import blp as broker_auth
    from server.inspection.appointment_routes import blp as inspection_api
    from server.jobs.routes import blp as job_api
    from server.market.award_routes import blp as award_api
    from server.market.driver_routes import blp as driver_api
    from server.market.load_routes import blp as load_api
    from server.market.pickup_routes import blp as pickup_api
    from server.market.tender_routes import blp as tender_api
    from server.notify.email_routes import blp as email_api
    from server.notify.notification_routes import blp as notification_api
    from server.notify.webhook_routes import blp as webhook_api
    from server.orders.import_routes import blp as order_import_api
    from server.orders.routes import blp as order_api
    from server.planning.routes import blp as planning_api
    from server.settlement import agreement_routes, bill_routes, dispute_routes, statement_routes
    from server.stops.routes import blp as stops_api
    from server.tracking.device_routes import blp as device_api
    from server.tracking.page import blp as tracking_page
    from server.tracking.position_routes import blp as tracking_positions
    from server.tracking.routes import blp as tracking_api
    from server.tracking.routes import raw as tracking_raw
    from server.tracking.suspension_routes import blp as device_suspension_api
    from server.web.auth_pages import blp as sign_in_pages
    from server.web.pages import blp as pages
    from server.yard.console_routes import blp as gate_console_api
    from server.yard.dock_routes import blp as dock_api
    from server.yard.evidence_routes import blp as evidence_api
    from server.yard.gate_routes import blp as gate_api
    from server.yard.plant_routes import blp as plant_api

    documented = (
        auth_api, user_api, role_api, department_api, organisation_api, trading_api, fleet_api, site_api,  # accounts, partners, fleet, sites
        order_api, order_import_api,  # orders
        planning_api, job_api,  # load and route plans, their background jobs
        load_api, stops_api, tender_api, award_api, driver_api,  # loads and their stops, tender, bid, award
        pickup_api,  # pickup authorization
        approval_rule_api, approval_api,  # approval chains (pickup authorizations, awards)
        dock_api, plant_api, gate_api, gate_console_api, evidence_api,  # dock slot and rules, gate, yard, evidence
        inspection_api,  # independent inspectors appointed to loads
        device_api, tracking_api, device_suspension_api,  # GPS devices, tracking links, suspended devices
        notification_api, email_api, webhook_api,  # notifications
        agreement_routes.blp, bill_routes.blp, dispute_routes.blp, statement_routes.blp,  # settlement
        audit_api,  # the audit trail of every stage
    )
    for blueprint in documented:
        api.register_blueprint(blueprint)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("sessionCookie", {"type": "apiKey", "in": "cookie", "name": "session"})
    api.spec.options["security"] = [{"bearerAuth": []}, {"sessionCookie": []}]
    # Not in the OpenAPI document: the devices' position endpoints (OsmAnd, OwnTracks), /metrics, the
    # broker's auth backend, the public tracking page, and the pages for people (whose HTML error
    # handlers come after the JSON ones, see create_app).
    for blueprint in (tracking_positions, tracking_raw, broker_auth, tracking_page, pages, sign_in_pages):
        app.register_blueprint(blueprint)


def _migrations_dir() -> Path:
    return Path(__file__).parent / "migrations"
