"""The driver's Messages list: kept on the phone, newest first, capped, de-duplicated, read/unread."""

from __future__ import annotations

import itertools

from driver_app.core import plant_time
from driver_app.core.app_state import DriverDay
from driver_app.core.i18n import Msg, translator
from driver_app.core.inbox import bind_inbox
from driver_app.core.notices import NoticeList


def ticking(start: float = 1_800_000_000.0):
    """A clock that moves one second per reading."""
    counter = itertools.count()
    return lambda: start + next(counter)


def server_item(note_id: int, title: str = "Dock slot moved for L-1", read_at=None, **extra):
    return {"id": note_id, "kind": "dock_rescheduled", "title": title, "load_id": 7, "data": {"reference": "L-1"},
            "created_at": "2026-12-07T08:00:00+00:00", "read_at": read_at, **extra}


def test_notices_survive_a_restart_newest_first_with_their_load_zone_and_words(tmp_path):
    """Kept in the app's SQLite file: reopened, the list has the same entries, translated when shown."""
    path = tmp_path / "outbox.sqlite"
    notices = NoticeList(path, clock=ticking())
    notices.add(Msg("Your dock slot moved: {slot}", slot="D2, 09:37 CET"), load_id=101, zone="Europe/Berlin")
    notices.add(Msg.plural("{n} position waiting", "{n} positions waiting", 3))
    notices.db.close()

    reopened = NoticeList(path).items()

    assert [n.text.render() for n in reopened] == ["3 positions waiting", "Your dock slot moved: D2, 09:37 CET"]
    assert (reopened[1].load_id, reopened[1].zone, reopened[1].read) == ("101", "Europe/Berlin", False)
    assert reopened[1].text.render(translator("zh_CN")) != reopened[1].text.render()  # words chosen when shown
    assert reopened[0].received_at == reopened[1].received_at + 1


def test_same_instant_keeps_arrival_order_and_the_list_is_capped(tmp_path):
    """Two notices in one instant list the later first; beyond the cap the oldest go."""
    notices = NoticeList(tmp_path / "n.sqlite", cap=3, clock=lambda: 1_800_000_000.0)
    for n in range(5):
        notices.add(f"notice {n}")

    assert [n.text for n in notices.items()] == ["notice 4", "notice 3", "notice 2"]


def test_a_server_notification_fetched_twice_is_one_entry_and_follows_the_server(tmp_path):
    """Merging the same page again adds nothing; new words replace old ones; read on the server stays read."""
    notices = NoticeList(tmp_path / "n.sqlite", clock=ticking())
    assert notices.merge_server([server_item(5), server_item(6, "Pickup of L-1 authorized"), {"id": "x"}]) == 2
    assert notices.merge_server([server_item(5, "L-1 的月台时段已改", read_at="2026-12-07T09:00:00+00:00"),
                                 server_item(6)]) == 0

    items = notices.items()
    assert len(items) == 2 and {n.server_id for n in items} == {5, 6}
    by_id = {n.server_id: n for n in items}
    assert by_id[5].text == "L-1 的月台时段已改" and by_id[5].read and by_id[5].load_id == "7"
    assert not by_id[6].read and notices.unread_count() == 1
    assert by_id[5].received_at == 1796630400.0  # the server's created_at, not the fetch time


def test_marking_all_read_returns_the_server_ids_to_tell_once(tmp_path):
    """Opening the list marks everything read; only unread server notifications are to be told to the server."""
    notices = NoticeList(tmp_path / "n.sqlite", clock=ticking())
    seen = []
    notices.subscribe(lambda n: seen.append(n.unread_count()))
    notices.add("local one")
    notices.merge_server([server_item(8), server_item(9, read_at="2026-12-07T09:00:00+00:00")])

    assert notices.unread_count() == 2
    assert notices.mark_all_read() == [8]
    assert notices.unread_count() == 0 and notices.mark_all_read() == []
    assert seen == [1, 2, 0]


def test_inbox_messages_land_in_the_list_with_the_site_zone(tmp_path):
    """A moved slot and a withdrawn authorization are both kept (not only the last notice line)."""
    day = DriverDay()
    notices = NoticeList(tmp_path / "n.sqlite", clock=ticking())
    handlers = {}
    bind_inbox(type("Inbox", (), {"on_inbox": lambda self, kind, fn: handlers.__setitem__(kind, fn)})(), day, notices)

    handlers["replan"]({"load_id": 101, "reference": "LD-4711", "why": "moved", "previous": {"x": 1},
                        "appointment": {"dock_name": "D2", "start_local": "2026-12-09T09:37:00+01:00",
                                        "abbr": "CET", "timezone": "Europe/Berlin"}})
    handlers["authorization_withdrawn"]({"load_id": 102, "reference": "LD-4712", "reason": "revoked"})

    first, second = notices.items()
    assert first.text.render() == "The pickup authorization for LD-4712 was withdrawn. Ask your dispatcher."
    assert second.text.render() == "Your dock slot moved: D2, 09:37 CET"
    assert (second.load_id, second.zone, first.load_id) == ("101", "Europe/Berlin", "102")
    assert day.notice == first.text


def test_plant_time_moment_uses_the_site_zone_else_the_phones():
    """An instant on the plant's clock with the zone named; an unknown zone falls back to the phone's."""
    winter_noon_utc = 1_796_644_800.0  # 2026-12-07 12:00 UTC
    assert plant_time.moment(winter_noon_utc, "Europe/Berlin") == "12-07 13:00 CET"
    assert plant_time.moment(winter_noon_utc, "Asia/Shanghai") == "12-07 20:00 CST"
    phone = plant_time.moment(winter_noon_utc, "No/Such_Zone")
    assert phone == plant_time.moment(winter_noon_utc) and len(phone.split(" ")) == 3


def test_a_server_notification_keeps_the_site_zone_it_names(tmp_path):
    """The driver's own rows name the plant's zone as ``site_timezone`` or in the slot; the entry keeps it."""
    notices = NoticeList(tmp_path / "n.sqlite", clock=ticking())
    notices.merge_server([server_item(1, data={"site_timezone": "Europe/Berlin"}),
                          server_item(2, data={"appointment": {"timezone": "Asia/Shanghai"}}),
                          server_item(3, data={"reference": "L-1"})])
    assert {n.server_id: n.zone for n in notices.items()} == {1: "Europe/Berlin", 2: "Asia/Shanghai", 3: None}
