"""Rules of the ensemble's rescoring that need no model: readers agreeing on a
character keep it, and the EU band at a plate's left edge read as one more
character is allowed only in the EU region (no shared data needed)."""

import math
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

np = pytest.importorskip("numpy")

from plates.alpr import ctc  # noqa: E402
from plates.alpr.normalisation import ALPHABET  # noqa: E402
from plates.alpr.recognise import EnsembleRecogniser  # noqa: E402


def _frames(text, sure=0.9, sure_at=None):
    """CTC frames reading `text`: one frame per char with blanks between;
    `sure_at` maps a position to its own probability."""
    sure_at = sure_at or {}
    rows = [np.full(37, 1e-6)]
    rows[0][0] = 1.0
    for i, c in enumerate(text):
        p = sure_at.get(i, sure)
        r = np.full(37, 1e-6)
        r[1 + ALPHABET.index(c)] = p
        r[0] = 1.0 - p
        rows.append(r)
        b = np.full(37, 1e-6)
        b[0] = 1.0
        rows.append(b)
    q = np.array(rows)
    return q / q.sum(axis=1, keepdims=True)


def _readers(*texts, **kw):
    recs = [ctc.greedy(_frames(t, **kw)) for t in texts]
    first = recs[0]
    first.others = recs[1:]
    return first


def _ensemble():
    # no models are loaded: only the rescoring is used
    return EnsembleRecogniser(members=[object()] * 3, weights=[1.0, 0.35, 0.35])


def test_a_leading_digit_every_reader_reads_is_not_turned_into_a_letter_by_a_layout():
    rec = _readers("8FV480", "8FV480", "8FV480")
    hs = _ensemble().hypotheses(rec, "us")
    assert hs[0].text == "8FV480"
    assert "BFV480" not in [h.text for h in hs]


def test_a_layout_may_still_choose_the_letter_where_the_readers_disagree():
    rec = _readers("8FV480", "BFV480", "8FV480")
    hs = _ensemble().hypotheses(rec, "us")
    assert "BFV480" in [h.text for h in hs]


def test_the_eu_band_read_as_a_leading_letter_is_dropped_in_front_of_an_eu_layout():
    rec = _readers("ERK708AI", "ERK708AI", "ERK708AI")
    assert _ensemble().hypotheses(rec, "eu")[0].text == "RK708AI"


def test_the_band_rule_is_only_used_in_the_eu_region():
    rec = _readers("ERK708AI", "ERK708AI", "ERK708AI")
    assert _ensemble().hypotheses(rec, "us")[0].text == "ERK708AI"


def test_the_band_rule_does_not_cut_a_first_character_off_a_plate_of_no_listed_layout():
    rec = _readers("WOBVWMK4", "WOBVWMK4", "WOBVWMK4")
    assert _ensemble().hypotheses(rec, "eu")[0].text == "WOBVWMK4"


def test_any_character_in_a_ctc_text_is_at_least_as_likely_as_each_real_one():
    q = _frames("X12")
    any_ll = ctc.log_likelihood(q, ["*12"])[0]
    for c in "XAB7":
        assert any_ll >= ctc.log_likelihood(q, [c + "12"])[0] - 1e-9
    assert math.isclose(any_ll, ctc.log_likelihood(q, ["X12"])[0], abs_tol=1e-3)


def _split_plate_reader(region):
    """A reader whose detector finds only the right part of a plate (the
    district code left of the emblem is missed) and whose recogniser reads
    the whole plate only from a crop reaching over the district code."""
    from plates.alpr.reader import PlateReader
    from plates.alpr.types import Candidate, Recognition, box_from_polygon

    frame = np.full((200, 600, 3), 255, np.uint8)
    frame[80:120, 100:160] = 0  # the district code, left of the gap
    right = [(200.0, 80.0), (400.0, 80.0), (400.0, 120.0), (200.0, 120.0)]

    def detector(_frame):
        return [Candidate(right, box_from_polygon(right), 0.9, "db")]

    def recogniser(crops):
        out = []
        for c in crops:
            text = "RK708AI" if (c == 0).any() else "708AI"
            out.append(Recognition(text, [0.95] * len(text)))
        return out

    return frame, PlateReader(detector, recogniser, "test", region=region)


def test_an_eu_plate_read_short_is_read_again_reaching_over_the_district_code():
    frame, reader = _split_plate_reader("eu")
    best = reader.read(frame)[0]
    assert best.text == "RK708AI"
    assert best.box.x < 200 and best.box.x >= 0


def test_the_left_reach_is_only_used_in_the_eu_region():
    frame, reader = _split_plate_reader("us")
    assert [r.text for r in reader.read(frame)] == ["708AI"]


def test_californias_open_top_four_read_as_l_by_every_reader_is_read_as_four():
    rec = _readers("LGLS168", "LGLS168", "LGLS168")
    assert _ensemble().hypotheses(rec, "us")[0].text == "4GLS168"


def test_a_leading_l_of_a_listed_us_layout_stays_an_l():
    rec = _readers("LGL5168", "LGL5168", "LGL5168")
    assert _ensemble().hypotheses(rec, "us")[0].text == "LGL5168"


def test_the_open_top_four_rule_is_only_used_in_the_us_region():
    rec = _readers("LGLS168", "LGLS168", "LGLS168")
    assert _ensemble().hypotheses(rec, "eu")[0].text != "4GLS168"
