from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone

from .models import Agency, Centre, Membership, OpeningSession


def opening_sessions_today(centre: Centre) -> list[OpeningSession]:
    today = timezone.localdate()
    return list(centre.opening_sessions.filter(weekday=today.weekday()))


def centres_supervised_by(user):
    """Centres a supervisor oversees: those named directly, and every centre of a supervised province."""
    scopes = Membership.objects.filter(user=user, role=Membership.Role.SUPERVISOR)
    return (
        Centre.objects.filter(
            Q(pk__in=scopes.values("centre")) | Q(ward__province__in=scopes.values("province"))
        )
        .select_related("ward__province")
        .annotate(
            counter_count=Count("counters", distinct=True),
            staff_count=Count(
                "members", filter=Q(members__role=Membership.Role.COUNTER_STAFF), distinct=True
            ),
        )
        .order_by("name")
    )


def reception_of(centre: Centre) -> Agency | None:
    """The centre's own reception unit, which issues receipts and the one-stop forms."""
    return Agency.objects.filter(kind=Agency.Kind.ONE_STOP, ward=centre.ward_id).order_by("pk").first()


@dataclass(frozen=True)
class Scope:
    """Where a member of staff may look, by role: the one place every page and API reads it from.

    counter_centres: centres where the person is counter staff (their centre's tickets and dossiers);
    supervised_centres: centres a supervisor oversees, directly or through a whole province;
    agencies: agencies whose officers see the dossiers at their steps (routing between agencies).
    """

    counter_centres: frozenset[int] = frozenset()
    supervised_centres: frozenset[int] = frozenset()
    agencies: frozenset[int] = frozenset()

    @property
    def centres(self) -> frozenset[int]:
        """Every centre whose own tickets and dossiers this person may see."""
        return self.counter_centres | self.supervised_centres

    @property
    def is_staff_anywhere(self) -> bool:
        return bool(self.counter_centres or self.supervised_centres or self.agencies)


def scope_of(user) -> Scope:
    """The places a user's memberships open to them (empty for a citizen or an anonymous visitor)."""
    if not getattr(user, "is_authenticated", False):
        return Scope()
    # Read once per request: the user object lives as long as the request does.
    cached = getattr(user, "_motcua_scope", None)
    if cached is not None:
        return cached
    user._motcua_scope = _scope_read(user)
    return user._motcua_scope


def _scope_read(user) -> Scope:
    counter, supervised_direct, provinces, agencies = set(), set(), set(), set()
    for role, centre, agency, province in Membership.objects.filter(user=user).values_list(
        "role", "centre_id", "agency_id", "province_id"
    ):
        if role == Membership.Role.COUNTER_STAFF:
            counter.add(centre)
        elif role == Membership.Role.AGENCY_OFFICER:
            agencies.add(agency)
        elif centre:
            supervised_direct.add(centre)
        else:
            provinces.add(province)
    supervised = set(supervised_direct)
    if provinces:
        supervised |= set(Centre.objects.filter(ward__province__in=provinces).values_list("pk", flat=True))
    return Scope(
        counter_centres=frozenset(counter),
        supervised_centres=frozenset(supervised),
        agencies=frozenset(agencies),
    )


def handling_agency(*, agency_kinds: list[str], centre: Centre) -> Agency | None:
    """The agency that settles a procedure's dossiers filed at a centre: the first agency kind the
    procedure lists, at the centre's ward when it is a ward agency, else the province's."""
    if not agency_kinds:
        return None
    kind = agency_kinds[0]
    candidates = Agency.objects.filter(kind=kind).filter(
        Q(ward=centre.ward_id) | Q(ward__isnull=True, province=centre.ward.province_id)
    )
    return candidates.order_by(F("ward").asc(nulls_last=True), "pk").first()
