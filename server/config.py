"""Configuration read once from the environment, with embedded defaults.

With no variables set, Haul runs on the embedded default: SQLite + SpatiaLite under
the instance folder and an in-process amqtt broker. Production points the variables
at PostgreSQL + PostGIS, Mosquitto and Redis.
"""

from __future__ import annotations

import os
from pathlib import Path

from server.secret_key import instance_secret_key

MQTT_PROTOCOLS = ("5", "3.1.1")
DEFAULT_MAP_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


class ConfigError(RuntimeError):
    """The configuration cannot be used as given (for example production without SECRET_KEY)."""


def instance_dir() -> Path:
    path = Path(os.environ.get("HAUL_INSTANCE_DIR", Path.cwd() / "instance")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


# The yard's settings an operator may set as HAUL_<NAME> (e.g. HAUL_YARD_STEP_BACK=0); unset, the code's
# default applies where the setting is read (server/yard/), so defaults live in one place.
YARD_SETTINGS: dict[str, type] = {
    "YARD_STEP_BACK": bool, "YARD_PULL_UP": bool, "YARD_NO_TRIP_RELEASE": bool,
    "YARD_REACT_MINUTES": int, "YARD_GPS_SEEN_HOURS": float, "YARD_TRIP_FIX_MINUTES": float,
    "YARD_TRIP_NEAR_KM": float, "YARD_ON_TIME_GRACE_MINUTES": int, "YARD_REPLAN_MIN_SHIFT_MINUTES": int,
    "YARD_REPLAN_SECONDS": float, "YARD_RESCHEDULE_CUTOFF_MINUTES": int, "YARD_SLOT_STEP_MINUTES": int,
    "YARD_WEIGHT_TOLERANCE_PCT": float,
}


def _yard_settings(env) -> dict:
    found = {}
    for name, kind in YARD_SETTINGS.items():
        raw = env.get("HAUL_" + name)
        if raw is None:
            continue
        try:
            value = raw.strip().lower() not in ("0", "false", "no", "off") if kind is bool else kind(raw)
        except ValueError:
            raise ConfigError(f"HAUL_{name} must be a number") from None
        if kind is not bool and value < 0:
            raise ConfigError(f"HAUL_{name} must not be negative")
        found[name] = value
    return found


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config dict from the environment, then apply ``overrides``."""
    env = os.environ
    inst = instance_dir()
    database_url = env.get("DATABASE_URL") or f"sqlite:///{inst / 'haul.db'}"
    if database_url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain URLs from ops tooling name no driver.
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    config = {
        "ENV_NAME": env.get("HAUL_ENV", "development"),
        # Empty: a random key kept in the instance folder (server.secret_key); production must set one.
        "SECRET_KEY": env.get("SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MQTT_URL": env.get("MQTT_URL", ""),  # empty: the embedded amqtt broker
        "REDIS_URL": env.get("REDIS_URL", ""),
        "ASYNC_MODE": env.get("HAUL_ASYNC_MODE", "threading"),  # empty: in-process fan-out and thread-pool jobs
        # Redis names, so that several Haul deployments (or test runs) can share one Redis: pub/sub
        # channels are global to a Redis server, not per database number.
        "SOCKETIO_CHANNEL": env.get("HAUL_SOCKETIO_CHANNEL", "flask-socketio"),
        "JOB_QUEUE": env.get("HAUL_JOB_QUEUE", "haul"),
        "HAUL_INSTANCE_DIR": str(inst),
        "MAX_CONTENT_LENGTH": int(env.get("HAUL_MAX_BODY_BYTES", 2 * 1024 * 1024)),
        # Seconds a request body has to arrive, under gevent (haul serve sets it from --body-timeout).
        "BODY_TIMEOUT_S": float(env.get("HAUL_SERVE_BODY_TIMEOUT_S", 30)),
        "MAX_URI_BYTES": int(env.get("HAUL_MAX_URI_BYTES", 8192)),  # longer: 414 (server.request_guard)
        # A proof of delivery farther than this from a delivery site without a geofence is flagged.
        "POD_RADIUS_M": float(env.get("HAUL_POD_RADIUS_M", 1000)),
        # The bearer token Prometheus scrapes /metrics with (empty: platform admins only).
        "METRICS_TOKEN": env.get("HAUL_METRICS_TOKEN", ""),
        "API_TITLE": "Haul API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        # Swagger UI is served from the npm build (make assets), never from a CDN.
        "OPENAPI_SWAGGER_UI_URL": env.get("HAUL_SWAGGER_UI_URL", "/static/vendor/swagger-ui/"),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "PAGE_SIZE_MAX": 200,
        "API_TOKEN_TTL_HOURS": int(env.get("HAUL_API_TOKEN_TTL_HOURS", 12)),
        # ERP tokens: the lifetime when none is asked for, the longest one may ask for, and how long a
        # rotated token keeps working beside its successor.
        "ERP_TOKEN_TTL_DAYS": int(env.get("HAUL_ERP_TOKEN_TTL_DAYS", 90)),
        "ERP_TOKEN_MAX_DAYS": int(env.get("HAUL_ERP_TOKEN_MAX_DAYS", 365)),
        "TOKEN_ROTATION_GRACE_HOURS": float(env.get("HAUL_TOKEN_ROTATION_GRACE_HOURS", 24)),
        # Device pairing: how long a paired phone's token lives, the address phones reach this
        # server at (empty: the request's own), the broker address they publish to (empty:
        # pairing gives no MQTT settings) and the MQTT version that broker speaks (the embedded
        # amqtt broker of the demo speaks 3.1.1 only).
        "DEVICE_TOKEN_TTL_DAYS": int(env.get("HAUL_DEVICE_TOKEN_TTL_DAYS", 30)),
        "PUBLIC_URL": env.get("HAUL_PUBLIC_URL", ""),
        "DEVICE_MQTT_URL": env.get("HAUL_DEVICE_MQTT_URL", ""),
        # RabbitMQ's MQTT plugin (the durable path, AMQP_URL set) speaks 3.1.1; Mosquitto speaks 5.
        "DEVICE_MQTT_PROTOCOL": env.get("HAUL_DEVICE_MQTT_PROTOCOL", "3.1.1" if env.get("AMQP_URL") else "5"),
        # The durable ingest path (docs/deployment.md): the broker's AMQP address (ingest workers),
        # its management API (revoked devices' connections are closed through it) and the password
        # RabbitMQ's HTTP auth backend sends to /internal/broker (empty: those routes answer 404).
        "AMQP_URL": env.get("AMQP_URL", ""),
        "BROKER_MANAGEMENT_URL": env.get("HAUL_BROKER_MANAGEMENT_URL", ""),
        "BROKER_AUTH_PASSWORD": env.get("HAUL_BROKER_AUTH_PASSWORD", ""),
        # Off when separate ``haul webhooks deliver`` processes send the webhooks.
        "WEBHOOK_THREAD": env.get("HAUL_WEBHOOK_THREAD", "1") != "0",
        # Quotas (docs/deployment.md, "Limits"): CSV rows imported in one request, and in one background
        # import job; loads one load plan may make.
        "IMPORT_SYNC_MAX_ROWS": int(env.get("HAUL_IMPORT_SYNC_MAX_ROWS", 1000)),
        "IMPORT_MAX_ROWS": int(env.get("HAUL_IMPORT_MAX_ROWS", 20_000)),
        "MAX_LOADS_PER_PLAN": int(env.get("HAUL_MAX_LOADS_PER_PLAN", 500)),
        # Sign-in brake (server.auth.sign_in): failures per account and per client address in the window;
        # with REDIS_URL counted in Redis under the prefix, so every process of a deployment shares them.
        "LOGIN_FAILURES_PER_ACCOUNT": int(env.get("HAUL_LOGIN_FAILURES_PER_ACCOUNT", 10)),
        "LOGIN_FAILURES_PER_ADDRESS": int(env.get("HAUL_LOGIN_FAILURES_PER_ADDRESS", 30)),
        "LOGIN_BRAKE_WINDOW_S": float(env.get("HAUL_LOGIN_BRAKE_WINDOW_S", 900)),
        "BRAKE_KEY_PREFIX": env.get("HAUL_BRAKE_KEY_PREFIX", "haul:brake"),
        # How often live sockets' sign-ins are looked at again (server.socket_revocation).
        "SOCKET_REVALIDATE_S": float(env.get("HAUL_SOCKET_REVALIDATE_S", 2)),
    }
    config.update(_yard_settings(env))
    config.update(overrides or {})
    # Secure (HTTPS only) in production; the demo and tests speak plain HTTP on loopback.
    config.setdefault("SESSION_COOKIE_SECURE", config["ENV_NAME"] == "production")
    if not config["SECRET_KEY"]:
        if config["ENV_NAME"] == "production":  # every process of a cluster must share one key
            raise ConfigError("SECRET_KEY must be set in production (HAUL_ENV=production)")
        config["SECRET_KEY"] = instance_secret_key(config["HAUL_INSTANCE_DIR"])
    if config["DEVICE_MQTT_PROTOCOL"] not in MQTT_PROTOCOLS:
        raise ConfigError(f"HAUL_DEVICE_MQTT_PROTOCOL must be one of {', '.join(MQTT_PROTOCOLS)}")
    return config


def map_tiles_url(config) -> str:
    """Leaflet's tile server (``HAUL_MAP_TILES``); empty draws maps without tiles (tests, offline sites)."""
    tiles = config.get("HAUL_MAP_TILES")
    return os.environ.get("HAUL_MAP_TILES", DEFAULT_MAP_TILES) if tiles is None else tiles


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")
