"""Where model files come from.  Nothing is ever downloaded.

The ONNX text detector/recogniser are the PP-OCRv4 models that ship inside the
`rapidocr-onnxruntime` wheel (Apache-2.0).  We only read the files; the
rapidocr package itself is not imported.  `RTCC_ALPR_MODEL_DIR` may point at a
folder holding the same file names instead.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path

DET_MODEL = "ch_PP-OCRv4_det_infer.onnx"
REC_MODEL = "ch_PP-OCRv4_rec_infer.onnx"
# Trained by the project itself (plates/alpr/training/), shipped in the repository.
CRNN_MODEL = "plate_crnn.onnx"
# The ensemble's own readers: small CRNNs trained on different synthetic
# generators (models/README.md); their errors differ, so they vote together.
CRNN_MODELS = (CRNN_MODEL, "plate_crnn_v2.onnx")
# The same CRNNs fine-tuned on real US plate crops (training/README.md); they
# vote in the us region only.  The second reads 32x192 crops (more time steps
# for condensed W / M); it was fine-tuned from `plate_crnn_us_v2.onnx`, which
# stays in the repository as the starting point of its training command.
US_CRNN_MODELS = ("plate_crnn_us.onnx", "plate_crnn_us_wide.onnx")
# The US state classifier (plates/alpr/state.py).
STATE_MODEL = "us_state.onnx"
PROJECT_MODEL_DIR = Path(__file__).resolve().parent / "models"
PROJECT_MODELS = (*CRNN_MODELS, *US_CRNN_MODELS, STATE_MODEL)


class ModelNotFoundError(RuntimeError):
    pass


def model_dir() -> Path:
    env = os.environ.get("RTCC_ALPR_MODEL_DIR")
    if env:
        return Path(env)
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            "the PP-OCR model files come from the 'rapidocr-onnxruntime' package; "
            "pip install rapidocr-onnxruntime==1.4.4 (or set RTCC_ALPR_MODEL_DIR)"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "models"


def model_path(name: str) -> Path:
    if name in PROJECT_MODELS:
        p = PROJECT_MODEL_DIR / name
        if not p.is_file():
            raise ModelNotFoundError(f"model file {p} is missing (train it: plates/alpr/training/README.md)")
        return p
    p = model_dir() / name
    if not p.is_file():
        raise ModelNotFoundError(f"model file {p} is missing")
    return p


_sessions: dict[str, object] = {}
_lock = threading.Lock()


def threads() -> int:
    """Threads per onnxruntime session: RTCC_ALPR_THREADS, default 1 (one core)."""
    try:
        return max(1, int(os.environ.get("RTCC_ALPR_THREADS", "1")))
    except ValueError:
        return 1


def session(name: str):
    """A cached onnxruntime InferenceSession for a model file."""
    import onnxruntime as ort

    key = f"{name}:{threads()}"
    with _lock:
        s = _sessions.get(key)
        if s is None:
            so = ort.SessionOptions()
            so.intra_op_num_threads = threads()
            so.inter_op_num_threads = 1
            so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            so.log_severity_level = 3
            s = ort.InferenceSession(str(model_path(name)), so, providers=["CPUExecutionProvider"])
            _sessions[key] = s
        return s
