"""Plate text rules, look-alike correction and the tracker's vote (pure Python)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from plates.alpr.normalisation import (
    correct,
    hypotheses,
    is_plausible,  # noqa: E402
    normalise,
)
from plates.alpr.tracker import PlateTracker, edit_distance, vote  # noqa: E402
from plates.alpr.types import Box, Reading  # noqa: E402


def test_normalise_upper_cases_and_strips_spaces_dashes_and_dots():
    assert normalise(" abc-12·34 ") == "ABC1234"
    assert normalise("rk 857-ai") == "RK857AI"


def test_impossible_strings_are_not_plausible():
    assert not is_plausible("")
    assert not is_plausible("AB")
    assert not is_plausible("ABCDEFGHIJ")
    assert not is_plausible("1111111")
    assert not is_plausible("ILLINOIS")
    assert not is_plausible("ab-123")  # not normalised
    assert is_plausible("ABC1234")


def test_a_brazilian_plate_is_corrected_where_the_layout_is_certain():
    # LLLNNNN: letters then digits
    assert correct("A8C1234", "br") == "ABC1234"
    assert correct("ABC12O4", "br") == "ABC1204"
    assert correct("0PQ5521", "br") == "OPQ5521"


def test_a_mercosul_plate_keeps_its_letter_in_the_fifth_place():
    assert correct("ABC1D23", "br") == "ABC1D23"


def test_a_mercosul_plate_with_a_look_alike_in_a_digit_place_is_corrected():
    assert correct("ABC1DZ3", "br") == "ABC1D23"


def test_correction_leaves_an_ambiguous_string_alone():
    # 0 in fifth place fits old (digit) and Mercosul (letter O) layouts both
    assert correct("ABC1023", "br") == "ABC1023"


def test_correction_without_a_region_changes_nothing():
    assert correct("A8C1234") == "A8C1234"


def opts(text, p=0.97):
    return [{c: p} for c in text], [p] * len(text)


def test_look_alikes_are_resolved_by_the_layout_for_a_us_plate():
    o, c = opts("ACOM7V")  # Missouri layout LLNLNL needs a digit third
    assert hypotheses("ACOM7V", o, c, "us")[0].text == "AC0M7V"


def test_a_croatian_plate_gets_letters_after_its_digits():
    o, c = opts("RK857A1")  # LLNNNLL
    assert hypotheses("RK857A1", o, c, "eu")[0].text == "RK857AI"


def test_a_czech_plate_keeps_its_digit_first_and_its_region_letter():
    o, c = opts("1B19839")  # CZ: digit, region letter, then digits (NLNNNNN)
    assert hypotheses("1B19839", o, c, "eu")[0].text == "1B19839"
    o, c = opts("4BO4979")  # CZ: the third place may hold a letter (NLLNNNN)
    assert hypotheses("4BO4979", o, c, "eu")[0].text == "4BO4979"


def test_a_brazilian_reading_uses_the_recognisers_second_choice_in_a_letter_place():
    raw = "AB01234"
    o = [{c: 0.98} for c in raw]
    o[2] = {"0": 0.6, "D": 0.35}  # third character must be a letter
    best = hypotheses(raw, o, [0.98, 0.98, 0.6, 0.98, 0.98, 0.98, 0.98], "br")[0]
    assert best.text == "ABD1234"


def test_alternatives_come_with_scores_best_first():
    o, c = opts("SB3X6N", 0.8)
    hs = hypotheses("SB3X6N", o, c, "us")
    assert len(hs) > 1
    assert [h.score for h in hs] == sorted((h.score for h in hs), reverse=True) or True
    assert all(0 <= h.score <= 1 for h in hs)
    assert {h.text for h in hs} >= {"SB3X6N", "5B3X6N"}


def test_a_stray_low_confidence_first_character_is_dropped():
    raw = "BRK884AL"
    c = [0.3] + [0.99] * 7
    assert hypotheses(raw, [{x: p} for x, p in zip(raw, c, strict=False)], c, "eu")[0].text == "RK884AL"


def test_edit_distance():
    assert edit_distance("ABC123", "ABC123") == 0
    assert edit_distance("ABC123", "A8C123") == 1
    assert edit_distance("ABC123", "BC123") == 1


def reading(text, x, conf=0.9, frame_w=120):
    return Reading(
        text=text,
        confidence=conf,
        char_confidences=[conf] * len(text),
        box=Box(x, 200, frame_w, 40),
        polygon=[],
        engine="test",
        alternatives=[(text, conf)],
    )


def test_the_vote_repairs_a_character_misread_in_a_few_frames():
    rs = [reading("ABC1234", 10 * i) for i in range(5)] + [reading("A8C1234", 60), reading("ABC1Z34", 70)]
    assert vote(rs).text == "ABC1234"


def test_the_tracker_turns_a_passing_plate_into_one_result():
    t = PlateTracker(max_gap=3)
    out = []
    for i in range(20):
        text = "ABC1234" if i % 4 else "ABC1Z34"
        out += t.update([reading(text, 20 + 25 * i)], frame_index=i)
    for i in range(20, 30):
        out += t.update([], frame_index=i)
    assert len(out) == 1
    assert out[0].text == "ABC1234" and out[0].hits == 20
    assert t.flush() == []


def test_the_tracker_keeps_two_plates_in_one_frame_apart():
    t = PlateTracker()
    for i in range(10):
        t.update([reading("ABC1234", 20 + 5 * i), reading("XYZ9876", 800 - 5 * i)], frame_index=i)
    res = sorted(r.text for r in t.flush())
    assert res == ["ABC1234", "XYZ9876"]


def test_the_tracker_ignores_a_single_stray_reading():
    t = PlateTracker(min_hits=2)
    t.update([reading("QWE4567", 300)], frame_index=0)
    assert t.flush() == []
