"""Issue 17: a refusal the driver meets (a revoked pickup code at the gate) reads in the driver's language."""

from __future__ import annotations

from driver_app.core import errors
from driver_app.core.i18n import translator
from driver_app.glue.explain import explain


def test_a_known_refusal_reason_is_said_in_the_drivers_language():
    refused = errors.Forbidden(status=403, detail="The buyer revoked this authorization at 2030-12-09T08:00:00+00:00.",
                               reason="revoked")
    shown = explain(refused)
    assert shown.render() == "The buyer withdrew this pickup authorization. Ask your dispatcher."
    assert shown.render(translator("zh_CN")) == "买方已撤回该提货授权，请联系您的调度员。"


def test_an_unknown_reason_falls_back_to_the_servers_words():
    refused = errors.Conflict(status=409, detail="Something only the server knows.", reason="brand_new_rule")
    assert explain(refused) == "Something only the server knows."
