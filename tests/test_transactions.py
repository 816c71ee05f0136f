"""An idempotent write that loses a race on a unique constraint is run once more, and finds the winner's row."""

import pytest
from django.db import IntegrityError

from incidents.models import Agency
from rtcc.transactions import atomic_retrying_once

pytestmark = pytest.mark.django_db


def test_the_second_run_finds_the_row_the_concurrent_writer_stored():
    Agency.objects.create(name="Winner", short_name="nofd", kind="fire")
    runs = []

    def store(short_name):
        runs.append(short_name)
        # The first run looked before the concurrent writer committed, so it did not see the winner's row.
        found = Agency.objects.filter(short_name=short_name).first() if len(runs) > 1 else None
        if found:
            return found, False
        return Agency.objects.create(name="Loser", short_name=short_name, kind="fire"), True

    agency, created = atomic_retrying_once(store, "nofd")
    assert (agency.name, created, len(runs)) == ("Winner", False, 2)
    assert Agency.objects.filter(short_name="nofd").count() == 1


def test_a_second_conflict_is_a_real_one_and_is_raised():
    Agency.objects.create(name="Fire", short_name="nofd", kind="fire")
    runs = []

    def always_conflicting():
        runs.append(1)
        Agency.objects.create(name="Again", short_name="nofd", kind="fire")

    with pytest.raises(IntegrityError):
        atomic_retrying_once(always_conflicting)
    assert len(runs) == 2 and Agency.objects.count() == 1
