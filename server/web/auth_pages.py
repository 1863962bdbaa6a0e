"""Sign-in and sign-out for the dashboards (session cookie), with a CSRF-protected form."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.security import check_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from server.errors import refused_requests
from server.extensions import db
from server.models import User

blp = Blueprint("auth_pages", __name__, template_folder="templates")


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def _safe_next(target: str | None) -> str | None:
    # Only same-site paths, so the login page cannot be used to bounce users elsewhere.
    return target if target and target.startswith("/") and not target.startswith("//") else None


@blp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(func.lower(User.email) == form.email.data.lower()))
        if user is not None and user.active and check_password_hash(user.password_hash, form.password.data):
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("pages.index"))
        form.password.errors.append(_l("Wrong email or password."))
    if request.method == "POST":
        status = 422
        refused_requests[422] += 1
    return render_template("login.html", form=form), status


@blp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("auth_pages.login"))
