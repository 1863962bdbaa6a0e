"""The REST API: one flask-smorest blueprint per feature, all under /api/v1.

Every module of this package that defines a smorest ``blp`` is a feature and is registered,
so adding a feature never means editing a shared list.
"""

import importlib
import pkgutil

from flask_smorest import Blueprint


def feature_blueprints() -> list[Blueprint]:
    blueprints = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if isinstance(getattr(module, "blp", None), Blueprint):
            blueprints.append(module.blp)
    return blueprints


def register_api(api) -> None:
    for blueprint in feature_blueprints():
        api.register_blueprint(blueprint)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("sessionCookie", {"type": "apiKey", "in": "cookie", "name": "session"})
    api.spec.options["security"] = [{"bearerAuth": []}, {"sessionCookie": []}]
