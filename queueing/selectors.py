"""Reads of the queue: what a citizen, a counter, the board and a supervisor see."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, Q, Value, When
from django.utils import timezone

from accounts.models import ApiToken, token_digest
from accounts.selectors import Role, memberships_of
from agencies.models import Centre

from .hours import LOCAL, local_day
from .models import Counter, CounterShift, Kiosk, QueueService, Ticket

RECENT_FINISHED = 20


def centre_by_code(code: str) -> Centre | None:
    return Centre.objects.filter(code=code).first()


@dataclass(frozen=True)
class QueueSetup:
    centre: Centre
    services: dict[str, QueueService]  # by letter
    sessions: list


_setups: dict[str, tuple[float, QueueSetup]] = {}


def queue_setup(code: str) -> QueueSetup | None:
    """A centre with its services and opening hours, kept in this process for a few seconds.

    Taking a ticket is the hottest path of the site and these rows change a few times a year;
    an edit shows within QUEUEING_SETUP_CACHE_SECONDS.
    """
    ttl = settings.QUEUEING_SETUP_CACHE_SECONDS
    cached = _setups.get(code)
    if ttl and cached and cached[0] > time.monotonic():
        return cached[1]
    centre = centre_by_code(code)
    if centre is None:
        return None
    setup = QueueSetup(
        centre=centre,
        services={s.letter: s for s in services_of(centre)},
        sessions=list(centre.opening_sessions.all()),
    )
    if ttl:
        _setups[code] = (time.monotonic() + ttl, setup)
    return setup


def services_of(centre: Centre):
    return QueueService.objects.filter(centre=centre, active=True).order_by("position", "letter")


def counters_for_staff(user):
    """Counters at the centres where this person is counter staff."""
    centres = [m.centre_id for m in memberships_of(user, Role.COUNTER_STAFF)]
    return Counter.objects.filter(centre_id__in=centres).select_related("centre").prefetch_related("services")


def shift_of(user, *, now: datetime.datetime | None = None) -> CounterShift | None:
    day = local_day(now or timezone.now())
    return CounterShift.objects.filter(user=user, day=day).select_related("counter__centre").first()


# --- Calling order -------------------------------------------------------------------------------
# The fairness rank (policy.queue_rank) decides between queues; within one queue (the walk-in tickets
# of one service's numbering on one day, priority ones apart from the others) numbers are called in
# order. A kiosk reads the clock before it draws its number, so two tickets taken in the same
# instant can carry ranks microseconds apart the other way round from their numbers (#100, #101
# called before #99), and tickets taken in the very same instant tie on the rank: numbers settle
# both. Priority first on a tie (PROCEDURES.md: people with disabilities, the elderly, pregnant
# women and people with merit are served first). A transferred ticket stays in the queue of the
# numbering it came from (its number means nothing in the other service's); a checked-in
# appointment ranks on its own slot, whatever its number. Numbers restart each day, so a queue is
# one day's.

PRIORITY_FIRST = Case(When(priority="", then=Value(1)), default=Value(0))
CALL_ORDER = ("rank_at", PRIORITY_FIRST, "number", "pk")


def queue_key(ticket: Ticket) -> tuple:
    """The queue whose numbers are called in order; a checked-in appointment is a queue of its own."""
    if ticket.channel == Ticket.Channel.APPOINTMENT:
        return ("appointment", ticket.pk)
    return (ticket.issued_service_id, ticket.day, bool(ticket.priority))


def same_queue(ticket: Ticket) -> Q:
    """The tickets of `ticket`'s queue (itself included), as a filter."""
    if ticket.channel == Ticket.Channel.APPOINTMENT:
        return Q(pk=ticket.pk)
    priority = ~Q(priority="") if ticket.priority else Q(priority="")
    return (
        Q(issued_service_id=ticket.issued_service_id, day=ticket.day)
        & priority
        & ~Q(channel=Ticket.Channel.APPOINTMENT)
    )


def in_call_order(tickets: list[Ticket]) -> list[Ticket]:
    """Tickets sorted by `CALL_ORDER`, with each queue's numbers put in order in the places its
    tickets hold (the rank decides between queues, numbers within one)."""
    places: dict[tuple, list[int]] = {}
    for place, ticket in enumerate(tickets):
        places.setdefault(queue_key(ticket), []).append(place)
    ordered = list(tickets)
    for queue_places in places.values():
        by_number = sorted((tickets[place] for place in queue_places), key=lambda t: t.number)
        for place, ticket in zip(queue_places, by_number, strict=True):
            ordered[place] = ticket
    return ordered


def people_ahead(ticket: Ticket) -> int:
    """Waiting tickets of the same service that are called before this one."""
    if ticket.status != Ticket.Status.WAITING:
        return 0
    mine = same_queue(ticket)
    return (
        Ticket.objects.filter(
            centre_id=ticket.centre_id,
            day=ticket.day,
            service_id=ticket.service_id,
            status=Ticket.Status.WAITING,
        )
        .filter(
            (mine & Q(number__lt=ticket.number))
            | (~mine & (Q(rank_at__lt=ticket.rank_at) | Q(rank_at=ticket.rank_at, pk__lt=ticket.pk)))
        )
        .count()
    )


def average_service_time(service: QueueService) -> datetime.timedelta:
    """Mean of the service's last finished tickets at its centre, or the configured default."""
    recent = (
        Ticket.objects.filter(service=service, status=Ticket.Status.DONE, started_at__isnull=False)
        .order_by("-finished_at")
        .values_list("started_at", "finished_at")[:RECENT_FINISHED]
    )
    durations = [finished - started for started, finished in recent]
    if not durations:
        return datetime.timedelta(minutes=settings.QUEUEING_DEFAULT_SERVICE_MINUTES)
    return sum(durations, datetime.timedelta()) / len(durations)


def estimated_wait(ticket: Ticket, *, ahead: int | None = None) -> datetime.timedelta:
    """People ahead × recent mean service time ÷ counters serving the service (at least one)."""
    ahead = people_ahead(ticket) if ahead is None else ahead
    counters = max(1, ticket.service.counters.count())
    return average_service_time(ticket.service) * ahead / counters


@dataclass
class TicketStatus:
    ticket: Ticket
    ahead: int
    wait: datetime.timedelta

    @property
    def wait_minutes(self) -> int:
        return round(self.wait.total_seconds() / 60)

    @property
    def near_front(self) -> bool:
        return self.ticket.status == Ticket.Status.WAITING and self.ahead <= settings.QUEUEING_NEAR_FRONT


def ticket_status(public_id) -> TicketStatus | None:
    ticket = Ticket.objects.filter(public_id=public_id).select_related("centre", "service", "counter").first()
    if ticket is None:
        return None
    ahead = people_ahead(ticket)
    return TicketStatus(ticket=ticket, ahead=ahead, wait=estimated_wait(ticket, ahead=ahead))


def board_calls(centre: Centre, *, now: datetime.datetime | None = None, limit: int = 8) -> list[Ticket]:
    """Numbers at the counters now, the latest call first (what the waiting-room screen shows)."""
    day = local_day(now or timezone.now())
    return list(
        Ticket.objects.filter(centre=centre, day=day, status__in=Ticket.AT_COUNTER_STATUSES)
        .select_related("counter", "service")
        .order_by("-called_at")[:limit]
    )


def waiting_by_service(centre: Centre, *, now: datetime.datetime | None = None) -> list[dict]:
    day = local_day(now or timezone.now())
    services = services_of(centre).annotate(
        waiting=Count("tickets", filter=Q(tickets__day=day, tickets__status=Ticket.Status.WAITING))
    )
    return [
        {"service": s, "waiting": s.waiting, "wait": average_service_time(s) * s.waiting} for s in services
    ]


def waiting_for_counter(counter: Counter, *, now: datetime.datetime | None = None, limit: int = 10):
    """The next tickets this counter will call, in calling order."""
    day = local_day(now or timezone.now())
    return in_call_order(
        list(
            Ticket.objects.filter(centre_id=counter.centre_id, day=day, status=Ticket.Status.WAITING)
            .filter(Q(for_counter__isnull=True, service__in=counter.services.all()) | Q(for_counter=counter))
            .select_related("service")
            .order_by(*CALL_ORDER)[:limit]
        )
    )


def queue_statistics(centres, *, day: datetime.date) -> list[dict]:
    """Per centre and service for one day: tickets, served, no-shows, waiting, mean wait and service."""
    tickets = (
        Ticket.objects.filter(centre__in=centres, day=day)
        .values_list(
            "centre__name",
            "service__letter",
            "service__name",
            "status",
            "issued_at",
            "called_at",
            "started_at",
            "finished_at",
        )
        .order_by("centre__name", "service__letter")
    )
    rows: dict[tuple, dict] = {}
    for centre, letter, name, status, issued, called, started, finished in tickets:
        row = rows.setdefault(
            (centre, letter),
            {
                "centre": centre,
                "letter": letter,
                "service": name,
                "issued": 0,
                "served": 0,
                "no_shows": 0,
                "waiting": 0,
                "waits": [],
                "services": [],
            },
        )
        row["issued"] += 1
        row["served"] += status == Ticket.Status.DONE
        row["no_shows"] += status == Ticket.Status.NO_SHOW
        row["waiting"] += status == Ticket.Status.WAITING
        if called:
            row["waits"].append((called - issued).total_seconds() / 60)
        if status == Ticket.Status.DONE and started:
            row["services"].append((finished - started).total_seconds() / 60)
    for row in rows.values():
        waits, durations = row.pop("waits"), row.pop("services")
        row["mean_wait_min"] = round(sum(waits) / len(waits), 1) if waits else None
        row["mean_service_min"] = round(sum(durations) / len(durations), 1) if durations else None
    return list(rows.values())


def queue_statistics_by_counter(centres, *, day: datetime.date) -> list[dict]:
    """Per counter for one day: tickets served, no-shows and mean service minutes."""
    tickets = (
        Ticket.objects.filter(centre__in=centres, day=day, counter__isnull=False)
        .values_list("centre__name", "counter__number", "status", "started_at", "finished_at")
        .order_by("centre__name", "counter__number")
    )
    rows: dict[tuple, dict] = {}
    for centre, number, status, started, finished in tickets:
        row = rows.setdefault(
            (centre, number), {"centre": centre, "counter": number, "served": 0, "no_shows": 0, "minutes": []}
        )
        row["no_shows"] += status == Ticket.Status.NO_SHOW
        if status == Ticket.Status.DONE:
            row["served"] += 1
            if started:
                row["minutes"].append((finished - started).total_seconds() / 60)
    for row in rows.values():
        minutes = row.pop("minutes")
        row["mean_service_min"] = round(sum(minutes) / len(minutes), 1) if minutes else None
    return list(rows.values())


def tickets_per_hour(centres, *, day: datetime.date) -> list[dict]:
    """Tickets issued in each local hour of the day (the morning rush shows at 8 and 9)."""
    counts: dict[int, int] = {}
    for issued in Ticket.objects.filter(centre__in=centres, day=day).values_list("issued_at", flat=True):
        hour = issued.astimezone(LOCAL).hour
        counts[hour] = counts.get(hour, 0) + 1
    return [{"hour": hour, "issued": counts[hour]} for hour in sorted(counts)]


def services_for_procedure(procedure_code: str) -> list[QueueService]:
    """The queues, centre by centre, where this procedure is served (for "take a number" / "book")."""
    # A JSON "contains" lookup is not portable to SQLite; the list of services is small.
    services = QueueService.objects.filter(active=True).select_related("centre").order_by("centre__name")
    return [service for service in services if procedure_code in service.procedure_codes]


def tickets_visible_to(user):
    """Tickets a member of staff may see: their counter centres' and the centres they supervise.

    Citizens reach their own ticket by its unguessable public id, not through this list.
    """
    from agencies.selectors import scope_of

    return Ticket.objects.filter(centre__in=scope_of(user).centres).select_related(
        "centre", "service", "counter"
    )


def devices_active():
    """Kiosks and boards not revoked: neither the machine itself nor (a kiosk's) API token."""
    return Kiosk.objects.filter(revoked_at__isnull=True).filter(
        Q(token__isnull=True) | Q(token__revoked_at__isnull=True)
    )


def kiosk_of_device(device_key: str | None, centre, role: str = Kiosk.Role.KIOSK) -> Kiosk | None:
    """The registered, unrevoked kiosk (or board, by `role`) of `centre` this device key belongs to."""
    if not device_key:
        return None
    return devices_active().filter(centre=centre, role=role, device_digest=token_digest(device_key)).first()


def kiosk_token_for(auth, centre_code: str) -> bool:
    """Whether an API caller's token is an active kiosk token of this centre."""
    return (
        isinstance(auth, ApiToken)
        and auth.kind == ApiToken.Kind.KIOSK
        and auth.is_active
        and auth.centre is not None
        and auth.centre.code == centre_code
    )
