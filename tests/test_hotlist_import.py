"""Hotlist CSV import: bad rows reported with their line, good rows kept; a daily feed replaces the list."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from plates.hotlist_import import ImportError_, hotlist_import
from plates.matching import current_index
from plates.models import Hotlist, HotlistEntry

CSV = """plate,reason,state,vehicle_description,expires_at
KXR4821,Stolen 11/20,LA,Black F-150,2027-01-01
,No plate,LA,,
AB<1,Hostile,LA,,
JT?55*,Hit and run (witness partial),LA,Silver sedan,
ZZZ9999,Bad date,LA,,next tuesday
JKL4821,Wanted driver,LA,,
"""


@pytest.mark.django_db
def test_malformed_rows_are_reported_while_good_rows_import():
    hotlist = Hotlist.objects.create(name="BOLO")
    report = hotlist_import(hotlist, CSV.encode())
    assert report.created == 3
    assert [line for line, _ in report.errors] == [3, 4, 6]
    assert "has characters no plate has" in report.errors[1][1]
    assert set(HotlistEntry.objects.values_list("plate", flat=True)) == {"KXR4821", "JT?55*", "JKL4821"}
    assert HotlistEntry.objects.get(plate="KXR4821").expires_at.year == 2027
    assert {m.entry.plate for m in current_index().match("JTB5507")} == {"JT?55*"}


@pytest.mark.django_db
def test_a_refresh_with_replace_removes_entries_no_longer_in_the_feed():
    hotlist = Hotlist.objects.create(name="NCIC daily", source="ncic")
    hotlist_import(hotlist, CSV.encode())
    report = hotlist_import(hotlist, b"plate,reason,state\nKXR4821,Stolen (updated),LA\nNEW0001,New,LA\n", replace=True)
    assert (report.created, report.updated, report.removed) == (1, 1, 2)
    assert set(HotlistEntry.objects.values_list("plate", flat=True)) == {"KXR4821", "NEW0001"}
    assert HotlistEntry.objects.get(plate="KXR4821").reason == "Stolen (updated)"
    hotlist.refresh_from_db()
    assert hotlist.refreshed_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, message",
    [(b"number,why\nABC,x\n", "missing: plate, reason"), (b"\xff\xfe\x00garbage", "not UTF-8")],
)
def test_a_file_that_is_not_a_hotlist_is_refused_whole(data, message):
    with pytest.raises(ImportError_, match=message):
        hotlist_import(Hotlist.objects.create(name="x"), data)


@pytest.mark.django_db
def test_the_command_shows_progress_and_every_bad_row(tmp_path):
    path = tmp_path / "bolo.csv"
    path.write_text(CSV)
    out = StringIO()
    call_command("import_hotlist", "Local BOLO", str(path), "--source", "local_bolo", stdout=out)
    text = out.getvalue()
    assert "3/3 rows" in text and "3 new" in text and "3 bad rows" in text and "line 6: expires_at" in text
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_hotlist", "Local BOLO", str(tmp_path / "missing.csv"))
