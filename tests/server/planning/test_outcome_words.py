"""The engines' outcome codes read as sentences in the reader's language: the engine's own English, or Chinese."""

from flask_babel import force_locale

from server.engines.loadbuilding.solver import FLEET_SHORT
from server.engines.routing.result import DropReason, drop_codes
from server.planning.outcome_words import DROPPED, describe_outcome, with_reasons

PARTNER_OF_HEAVY = f"{DropReason.PARTNER_DROPPED.value} ({DropReason.DEMAND_EXCEEDS_EVERY_VEHICLE.value})"


def test_every_drop_reason_has_a_code_and_reads_as_the_engine_wrote_it_in_english(app):
    """Each DropReason has a code whose English is the engine's text, and a Chinese sentence of its own."""
    with app.test_request_context():
        assert set(DROPPED) == {reason.name.lower() for reason in DropReason}
        for reason in DropReason:
            code, cause = drop_codes(reason.value)
            assert (code, cause) == (reason.name.lower(), "") and describe_outcome(code) == reason.value
        assert describe_outcome("fleet_short") == FLEET_SHORT
        with force_locale("zh_CN"):
            assert all(not describe_outcome(code).isascii() for code in DROPPED)
            assert not describe_outcome("no_single_vehicle", {"part": "line"}).isascii()


def test_a_dropped_partner_names_its_cause_in_the_readers_language(app):
    """"partner cannot be served (why)" becomes partner_dropped with the partner's code as the cause."""
    assert drop_codes(PARTNER_OF_HEAVY) == ("partner_dropped", "demand_exceeds_every_vehicle")
    with app.test_request_context():
        assert describe_outcome("partner_dropped", {"cause": "demand_exceeds_every_vehicle"}) == PARTNER_OF_HEAVY
        with force_locale("zh_CN"):
            assert describe_outcome("partner_dropped", {"cause": "demand_exceeds_every_vehicle"}) == \
                "与其配对的提货/送货站点无法服务（货量超出每一辆车的承载能力）"
            # a plan stored before reasons had codes is read from its text; an unknown text stays as it is
            [old, odd] = with_reasons([{"reason": DropReason.NO_ROUTE_FOUND.value}, {"reason": "something new"}])
            assert old["reason"] == "在时限内未找到可行路线" and odd["reason"] == "something new"


def test_the_route_page_words_a_group_drop_from_its_code(app):
    """A reason the page has no wording of its own (a group) is said from its code in the reader's language."""
    from server.web.labels import left_out_label

    with app.test_request_context(), force_locale("zh_CN"):
        assert left_out_label(DropReason.GROUP_UNSERVABLE.value, "group_unservable") == "没有一辆车能服务其所在组的全部站点"
        assert left_out_label(DropReason.PAIR_UNSERVABLE.value) == "没有卡车能在时间窗口和班次内完成提货和送货"
