import datetime

from queueing.policy import queue_rank

T0 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
HEAD_START = datetime.timedelta(minutes=15)


def minutes(n):
    return datetime.timedelta(minutes=n)


def order(tickets):
    """Names in calling order, as the counter query sorts them (rank, then issue order)."""
    ranked = [
        (
            queue_rank(
                issued_at=t["at"],
                priority=t.get("priority", ""),
                appointment_start=t.get("slot"),
                head_start=HEAD_START,
            ),
            i,
            t["name"],
        )
        for i, t in enumerate(tickets)
    ]
    return [name for _rank, _i, name in sorted(ranked)]


def test_a_priority_ticket_goes_before_ordinary_ones_taken_shortly_before():
    tickets = [
        {"name": "ordinary", "at": T0},
        {"name": "elderly", "at": T0 + minutes(5), "priority": "elderly"},
    ]
    assert order(tickets) == ["elderly", "ordinary"]


def test_an_ordinary_ticket_that_waited_longer_than_the_head_start_is_not_starved():
    tickets = [{"name": "ordinary", "at": T0}]
    tickets += [
        {"name": f"priority-{i}", "at": T0 + minutes(16 + i), "priority": "disability"} for i in range(10)
    ]
    assert order(tickets)[0] == "ordinary"


def test_priority_tickets_keep_their_own_order():
    tickets = [
        {"name": "merit", "at": T0 + minutes(2), "priority": "merit"},
        {"name": "pregnant", "at": T0 + minutes(1), "priority": "pregnant"},
    ]
    assert order(tickets) == ["pregnant", "merit"]


def test_a_checked_in_appointment_goes_ahead_of_walk_ins_of_its_slot():
    tickets = [
        {"name": "walk-in", "at": T0 + minutes(1)},
        {"name": "appointment", "at": T0 + minutes(10), "slot": T0},
    ]
    assert order(tickets) == ["appointment", "walk-in"]


def test_a_late_appointment_does_not_jump_the_whole_queue():
    # Slot at 09:00, checked in at 11:00: only walk-ins from after 08:45 are behind it.
    tickets = [
        {"name": "early walk-in", "at": T0 - minutes(30)},
        {"name": "appointment", "at": T0 + minutes(120), "slot": T0},
        {"name": "later walk-in", "at": T0 + minutes(20)},
    ]
    assert order(tickets) == ["early walk-in", "appointment", "later walk-in"]
