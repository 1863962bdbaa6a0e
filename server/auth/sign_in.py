"""Checking a user's e-mail and password, for the API and the sign-in form alike.

Guessing is braked twice, per account (the e-mail) and per client address, with 429 and
``Retry-After`` (``server.auth.shared_brake``: shared through Redis when it is configured). A
braked caller is refused before the password is looked at, so the right password does not get in
either until the brake lifts. An unknown e-mail costs the same hashing as a known one (a dummy
hash is checked), so the answer time does not tell which e-mails have accounts.
"""

from __future__ import annotations

import secrets
from functools import cache

from flask import current_app, request
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from server.auth.shared_brake import failure_brake
from server.errors import ApiProblem
from server.extensions import db
from server.models import User

WRONG = "Wrong email or password."


class TooManyAttempts(ApiProblem):
    def __init__(self, wait: int):
        super().__init__(429, f"Too many failed sign-ins; try again in {wait} s.", reason="too_many_attempts",
                         retry_after=wait)
        self.wait = wait


@cache
def _dummy_hash() -> str:
    # Made with the same method and cost as real ones, so checking it takes as long.
    return generate_password_hash(secrets.token_urlsafe(16))


def _brakes():
    config = current_app.config
    window = float(config["LOGIN_BRAKE_WINDOW_S"])
    return (failure_brake(current_app, "login-account", int(config["LOGIN_FAILURES_PER_ACCOUNT"]), window),
            failure_brake(current_app, "login-address", int(config["LOGIN_FAILURES_PER_ADDRESS"]), window))


def authenticate(email: str, password: str) -> User:
    """The active user with these credentials; 401 for wrong ones, 429 while braked."""
    account, address = f"account:{email.strip().lower()}", f"address:{request.remote_addr or '-'}"
    by_account, by_address = _brakes()
    wait = max(by_account.retry_after(account), by_address.retry_after(address))
    if wait:
        raise TooManyAttempts(wait)
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        check_password_hash(_dummy_hash(), password)  # the same work as for a real account
        matches = False
    else:
        matches = check_password_hash(user.password_hash, password)
    if not matches or not user.active:
        by_account.failed(account)
        by_address.failed(address)
        raise ApiProblem(401, WRONG)
    return user
