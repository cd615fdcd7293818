import datetime
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.selectors import Role, roles_of
from agencies.models import Agency, Centre
from divisions.addresses import Outcome, normalise_address
from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_data_load
from registry.models import PersonRecord

DOMAIN_APPS = ("accounts", "divisions", "agencies", "registry", "queueing", "procedures")


def _snapshot():
    """Every row of every domain table, so 'changes nothing' means exactly that."""
    rows = {}
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            values = model.objects.order_by("pk").values()
            rows[model._meta.label] = [
                {k: v for k, v in row.items() if k not in ("updated_at", "last_login")} for row in values
            ]
    return rows


def test_loading_twice_changes_nothing(demo):
    before = _snapshot()
    demo_data_load()
    assert _snapshot() == before


def test_the_command_prints_the_accounts_and_password(db, capsys, settings):
    settings.DEBUG = True  # as `make run` has it
    call_command("demo_data")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    for account in DEMO_ACCOUNTS:
        assert account.username in out


def test_a_bench_may_ask_for_more_residents_and_the_first_two_hundred_stay_the_same(db, settings):
    """bench/faults.py needs 2,540 drafts, each resident filing only for herself (issue 18)."""
    settings.DEBUG = True
    demo_data_load()
    first = set(PersonRecord.objects.values_list("citizen_id", "full_name", "birth_date"))
    call_command("demo_data", "--people", "260", stdout=io.StringIO())
    everyone = set(PersonRecord.objects.values_list("citizen_id", "full_name", "birth_date"))
    assert len(everyone) >= 260
    assert first <= everyone


def test_the_command_refuses_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="i-know-the-passwords-are-public"):
        call_command("demo_data")
    assert not User.objects.exists()


def test_with_debug_off_it_loads_only_when_told_and_says_the_passwords_are_public(db, settings, capsys):
    settings.DEBUG = False
    call_command("demo_data", "--i-know-the-passwords-are-public")
    err = capsys.readouterr().err
    assert "PUBLIC" in err
    assert DEMO_PASSWORD in err
    assert User.objects.filter(username="canbo.caugiay").exists()


def test_two_hundred_residents_with_valid_consistent_ids(demo):
    people = list(PersonRecord.objects.all())
    assert len(people) == 200
    for person in people:
        person.full_clean()  # structure and agreement with gender and birth year
        # Born before the demo's year began: every resident can file (bench/faults.py skipped 12
        # drafts of babies "born" later in 2026 than the day it ran).
        assert person.birth_date <= datetime.date(2026, 1, 1), person


def test_residents_include_pre_merger_addresses_that_all_resolve(demo):
    outcomes = [normalise_address(p.permanent_address) for p in PersonRecord.objects.all()]
    updated = [o for o in outcomes if o.outcome == Outcome.UPDATED]
    assert len(updated) >= 10
    assert len({o.former.pk for o in updated}) >= 10  # many different former wards, not one repeated
    assert all(o.ward is not None for o in outcomes)


def test_three_centres_with_counters_hours_and_the_agencies(demo):
    assert Centre.objects.count() == 3
    for centre in Centre.objects.all():
        assert centre.counters.count() == 5
        assert centre.opening_sessions.filter(weekday=0).count() == 2
    kinds = set(Agency.objects.values_list("kind", flat=True))
    assert kinds >= {
        Agency.Kind.CIVIL_STATUS,
        Agency.Kind.POLICE,
        Agency.Kind.TAX,
        Agency.Kind.LAND_REGISTRY,
        Agency.Kind.PROVINCIAL_JUSTICE,
        Agency.Kind.BUSINESS_REGISTRY,
    }


def test_one_account_per_role(demo):
    held = {roles_of(User.objects.get(username=a.username))[0] for a in DEMO_ACCOUNTS}
    assert held == set(Role)
    for account in DEMO_ACCOUNTS:
        assert User.objects.get(username=account.username).check_password(DEMO_PASSWORD)
