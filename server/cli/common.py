"""What the commands share: building the app from the environment. Only the command layer
(``server.cli``, ``server.bench``) and the process entry points (``server.wsgi``) build apps;
domain packages get theirs handed in."""

from __future__ import annotations

from contextlib import nullcontext

from flask import Flask, has_app_context

from server.app import create_app


def build_app(**overrides) -> Flask:
    """The app as ``haul serve`` would build it, with config ``overrides``."""
    return create_app(overrides or None)


def app_context():
    """The running app's context (tests, ``flask shell``), or a new app's from the environment."""
    if has_app_context():
        return nullcontext()
    return build_app().app_context()
