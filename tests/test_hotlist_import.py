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


@pytest.fixture
def feed_dir(tmp_path, settings):
    settings.RTCC_HOTLIST_FEED_DIR = tmp_path
    return tmp_path


def _feed(path, plates):
    path.write_text("plate,reason\n" + "".join(f"{p},NCIC stolen\n" for p in plates))


@pytest.mark.django_db
def test_a_scheduled_feed_replaces_its_list_when_the_file_changes(feed_dir):
    import os

    from plates.tasks import refresh_hotlist_feeds

    hotlist = Hotlist.objects.create(name="LA NCIC", feed_path="ncic.csv")
    _feed(feed_dir / "ncic.csv", ["AAA1111", "BBB2222", "CCC3333"])
    refresh_hotlist_feeds()
    assert set(HotlistEntry.objects.values_list("plate", flat=True)) == {"AAA1111", "BBB2222", "CCC3333"}
    hotlist.refresh_from_db()
    assert hotlist.feed_status.startswith("imported ncic.csv: 3 new")
    # The same file again: nothing to do.
    assert "unchanged" in refresh_hotlist_feeds()[0]
    # Tomorrow's file: one plate cleared, one new.
    _feed(feed_dir / "ncic.csv", ["AAA1111", "BBB2222", "DDD4444"])
    later = hotlist.refreshed_at.timestamp() + 60
    os.utime(feed_dir / "ncic.csv", (later, later))
    refresh_hotlist_feeds()
    assert set(HotlistEntry.objects.values_list("plate", flat=True)) == {"AAA1111", "BBB2222", "DDD4444"}
    assert current_index().match("DDD4444") and not current_index().match("CCC3333")


@pytest.mark.django_db
def test_a_missing_or_truncated_feed_keeps_the_list_and_warns_supervisors(feed_dir):
    from plates.feeds import refresh_all
    from rtcc.models import Event

    hotlist = Hotlist.objects.create(name="LA NCIC", feed_path="ncic.csv")
    plates = [f"AB{n:05d}" for n in range(100)]
    _feed(feed_dir / "ncic.csv", plates)
    refresh_all()
    assert HotlistEntry.objects.count() == 100
    (feed_dir / "ncic.csv").unlink()
    assert "missing" in refresh_all()[0]
    _feed(feed_dir / "ncic.csv", plates[:10])  # a transfer cut short
    assert "Kept the current list" in refresh_all()[0]
    assert HotlistEntry.objects.count() == 100
    warnings = Event.objects.filter(kind="hotlist.feed", group="staff.supervisor")
    assert warnings.count() == 2 and all(w.severity == "warning" for w in warnings)
    hotlist.refresh_from_db()
    assert "feed refused" in hotlist.feed_status


@pytest.mark.django_db
def test_a_feed_path_cannot_reach_outside_the_feed_folder(feed_dir):
    from plates.feeds import refresh_all

    Hotlist.objects.create(name="Sneaky", feed_path="../../../etc/passwd")
    assert "outside the feed folder" in refresh_all()[0]
    assert not HotlistEntry.objects.exists()
