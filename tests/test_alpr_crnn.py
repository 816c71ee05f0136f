"""The project's own plate recogniser (CRNN + CTC, trained on synthetic plates)
and the ensemble engine that lets it vote with PP-OCR (no shared data needed)."""

import itertools
import math
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

np = pytest.importorskip("numpy")
pytest.importorskip("cv2")
pytest.importorskip("onnxruntime")

from plates.alpr import ctc, get_reader  # noqa: E402
from plates.alpr.models import (  # noqa: E402
    CRNN_MODEL,
    CRNN_MODELS,
    STATE_MODEL,
    US_CRNN_MODELS,
    ModelNotFoundError,
    model_dir,
    model_path,
)
from plates.alpr.normalisation import ALPHABET  # noqa: E402
from plates.alpr.recognise import EnsembleRecogniser, PlateCRNNRecogniser  # noqa: E402
from plates.alpr.synthetic import render_plate, scene_with_plate  # noqa: E402


def _brute_force_ctc(q, text):
    """Sum over every frame path that collapses to `text`."""
    T, C = q.shape
    total = 0.0
    for path in itertools.product(range(C), repeat=T):
        out, prev = [], 0
        for k in path:
            if k != prev and k != 0:
                out.append(ALPHABET[k - 1])
            prev = k
        if "".join(out) == text:
            total += math.prod(q[t, k] for t, k in enumerate(path))
    return math.log(total)


def test_ctc_log_likelihood_matches_brute_force_on_a_tiny_alphabet():
    rng = np.random.default_rng(0)
    # 5 frames over blank + "0", "1", "2" (the rest of the alphabet at zero)
    q = np.zeros((5, 37))
    q[:, :4] = rng.dirichlet(np.ones(4), size=5)
    for text in ["0", "01", "00", "120", "1"]:
        got = ctc.log_likelihood(q, [text])[0]
        assert got == pytest.approx(_brute_force_ctc(q[:, :4], text), rel=1e-6)


def test_lookalike_floor_lets_a_layout_choose_the_letter():
    q = np.full((3, 37), 1e-6)
    q[:, 0] = 0.01
    q[1, 1] = 0.98  # "0" read in the middle frame
    q[0, 0] = q[2, 0] = 0.99
    floored = ctc.with_lookalike_floor(q)
    o = 1 + ALPHABET.index("O")
    assert floored[1, o] >= 0.4


def test_every_model_of_the_ensemble_ships_in_the_repository():
    assert CRNN_MODEL in CRNN_MODELS
    for name in (*CRNN_MODELS, *US_CRNN_MODELS, STATE_MODEL):
        p = model_path(name)
        assert p.is_file() and p.stat().st_size < 5_000_000


def test_the_ensemble_lets_every_crnn_vote_at_a_lower_weight_than_ppocr():
    ens = EnsembleRecogniser()
    assert [m.model for m in ens.members[1:]] == [*CRNN_MODELS, *US_CRNN_MODELS]
    n = len(CRNN_MODELS)
    assert ens.weights_for("br") == [1.0] + [0.0] * (n + len(US_CRNN_MODELS))  # PP-OCR alone on Brazil's plates
    for region in (None, "us", "eu"):
        w = ens.weights_for(region)
        assert w[0] == 1.0 and all(0 < v < 1 for v in w[1 : 1 + n])
        # the CRNNs fine-tuned on real US plates vote in the us region only
        assert all((0 < v < 1) if region == "us" else v == 0 for v in w[1 + n :])


def test_the_crnn_reads_most_clean_synthetic_plate_crops():
    # OpenCV's Hershey sans fonts are not among its training fonts (synth.py);
    # the serif ones (triplex, complex) are not plate-like and are left out.
    texts = ["KXR4725", "7WNP384", "ABC1D23", "HTC5829"]
    crops = [render_plate(t, char_height=40, font=f) for t in texts for f in ("simplex", "duplex")]
    recs = PlateCRNNRecogniser()(crops)
    truth = [t for t in texts for _ in range(2)]
    assert sum(r.text == t for r, t in zip(recs, truth, strict=True)) >= 6
    for r in recs:
        assert len(r.char_confidences) == len(r.text)
        assert r.probs.shape[1] == 37


def test_the_wide_us_crnn_reads_crops_at_its_own_input_width():
    # 32x192 input: 48 CTC time steps instead of 32 (condensed W / M on US plates)
    wide = PlateCRNNRecogniser("plate_crnn_us_wide.onnx", lookalike_floor=False)
    recs = wide([render_plate("KXR4725", char_height=40, font="duplex"), render_plate("WMW3083", char_height=40)])
    assert recs[0].probs.shape == (48, 37)
    assert [r.text for r in recs] == ["KXR4725", "WMW3083"]


def test_the_crnn_returns_nothing_for_no_crops():
    assert PlateCRNNRecogniser()([]) == []


try:
    model_dir()
    HAVE_PPOCR = True
except ModelNotFoundError:  # pragma: no cover
    HAVE_PPOCR = False


@pytest.mark.skipif(not HAVE_PPOCR, reason="PP-OCR models (rapidocr-onnxruntime) not installed")
@pytest.mark.parametrize("engine", ["crnn", "ensemble"])
def test_each_new_engine_reads_a_synthetic_scene(engine):
    frame = scene_with_plate("KXR4725", angle=5, blur=0.8, noise=5, seed=2)
    readings = get_reader(engine).read(frame)
    assert readings and readings[0].text == "KXR4725"
    assert readings[0].engine == engine
    assert 0.0 < readings[0].confidence <= 1.0


def test_a_date_or_long_number_is_not_read_as_a_plate():
    from plates.alpr.normalisation import hypotheses, is_date_or_number

    assert is_date_or_number("20140511")
    assert not is_date_or_number("1234567")
    assert not is_date_or_number("2014O511")
    assert hypotheses("20140511", [], [0.9] * 8, "us") == []


def test_the_synthetic_generator_repeats_itself_for_each_style():
    sys.path.insert(
        0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "plates", "alpr", "training")
    )
    synth = pytest.importorskip("synth")
    try:
        synth.fonts()
    except RuntimeError as e:
        pytest.skip(str(e))
    batches = {}
    for style in ("v2", "v3", "v4"):
        xs, ys = synth.make_batch(6, seed=3, style=style)
        again, ys2 = synth.make_batch(6, seed=3, style=style)
        assert xs.shape == (6, synth.H, synth.W) and xs.dtype == np.uint8
        assert np.array_equal(xs, again) and ys == ys2
        assert all(4 <= len(y) <= 8 and set(y) <= set(ALPHABET) for y in ys)
        batches[style] = xs
    assert not np.array_equal(batches["v2"], batches["v3"])
    with pytest.raises(ValueError):
        synth.set_style("v9")


def test_a_reader_for_one_region_runs_only_the_models_that_vote_there():
    assert [getattr(m, "model", "ppocr") for m in EnsembleRecogniser.for_region("br").members] == ["ppocr"]
    for region in ("eu", None):
        ens = EnsembleRecogniser.for_region(region)
        assert [getattr(m, "model", "ppocr") for m in ens.members] == ["ppocr", *CRNN_MODELS]
    us = EnsembleRecogniser.for_region("us")
    assert [getattr(m, "model", "ppocr") for m in us.members] == ["ppocr", *CRNN_MODELS, *US_CRNN_MODELS]
    assert us.weights == EnsembleRecogniser().weights_for("us")
