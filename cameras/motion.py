"""The one motion gate: whether a sampled frame differs enough from the last to be worth the plate reader.

Used by the live capture loop and by footage analysis (through plates.pipeline). Frames are
compared small, grey and blurred, so sensor noise and compression shimmer do not count; a frame
is read when enough of it changed, while a plate is being followed, and at least every
`keyframe_seconds` regardless (slow changes: light, a car that stopped).
"""

import cv2


class MotionGate:
    SIZE = (160, 90)
    LEVEL = 14  # grey levels a pixel must change by

    def __init__(self, *, keyframe_seconds: float, per_mille: float = 2.0):
        """`per_mille`: how much of the picture must change (2 = 0.2 %: a distant car is a few dozen pixels).

        0 turns the gate off: every sampled frame is read.
        """
        self.keyframe_seconds = keyframe_seconds
        self.share = per_mille / 1000
        self.previous = None
        self.last_read = None

    def worth_reading(self, frame, *, at: float, following: bool = False) -> bool:
        """`at` is the frame's time in seconds on any steady clock (stream time, or seconds into a clip)."""
        small = cv2.GaussianBlur(
            cv2.resize(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), self.SIZE, interpolation=cv2.INTER_AREA), (5, 5), 0
        )
        previous, self.previous = self.previous, small
        read = (
            self.share <= 0
            or previous is None
            or following
            or self.last_read is None
            or at - self.last_read >= self.keyframe_seconds
            or self._changed_pixels(small, previous) > self.share * small.size
        )
        if read:
            self.last_read = at
        return read

    def _changed_pixels(self, small, previous) -> int:
        return cv2.countNonZero(cv2.threshold(cv2.absdiff(small, previous), self.LEVEL, 255, cv2.THRESH_BINARY)[1])
