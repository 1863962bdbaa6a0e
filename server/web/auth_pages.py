"""Sign-in and sign-out for the dashboards (session cookie), both CSRF-protected forms."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from server.auth.sessions import begin_session, sign_out
from server.auth.sign_in import TooManyAttempts, authenticate
from server.errors import ApiProblem, refused_requests

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
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except TooManyAttempts as braked:
            form.password.errors.append(_("Too many failed sign-ins; try again in %(seconds)s s.",
                                          seconds=braked.wait))
            status, headers = 429, {"Retry-After": str(braked.wait)}
        except ApiProblem:
            form.password.errors.append(_l("Wrong email or password."))
        else:
            begin_session(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("pages.index"))
    if request.method == "POST" and status == 200:
        status = 422
    if status != 200:
        refused_requests[status] += 1
    return render_template("login.html", form=form), status, headers


@blp.post("/logout")
def logout():
    # Forged sign-outs are refused before this view (server.auth.cross_site): an Origin of this site or, from a
    # browser that sends none, the form's csrf_token. The token alone would expire on a page left open.
    sign_out(current_user.id if current_user.is_authenticated else None, None)
    return redirect(url_for("auth_pages.login"))
