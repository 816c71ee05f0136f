"""The plate-reading thread beside a camera's capture loop: it reads only the newest sampled frame."""

import logging
import threading
import time

from django.db import close_old_connections

log = logging.getLogger(__name__)

# Sightings the database could not take yet (it is restarting) are retried this often while no frame
# comes, and for this long when the capture closes, before they are given up (with an error logged).
RETRY_INTERVAL = 1.0
CLOSE_RETRY_SECONDS = 30.0


class AnalysisThread:
    """Runs the plate reader beside the capture loop, on the latest sampled frame only.

    Reading plates takes longer than a frame interval; done inline it would
    slow the stream's reading, stale the live picture and fake a degraded
    camera. A busy reader skips frames instead.
    """

    def __init__(self, analyser, camera_id, gate=None):
        self.analyser = analyser
        self.camera_id = camera_id
        self.gate = gate
        self.slot = None  # (frame, frame_time, clock): the newest sampled frame
        self.gap = False  # the stream broke: open tracks must end
        self.closing = False
        self.lock = threading.Condition()
        self.analysed = 0
        self.stored = 0
        self.thread = threading.Thread(target=self._loop, name=f"plates-{camera_id}", daemon=True)
        self.thread.start()

    def offer(self, frame, frame_time, clock):
        with self.lock:
            self.slot = (frame, frame_time, clock)
            self.lock.notify()

    def stream_gap(self):
        with self.lock:
            self.gap = True
            self.slot = None
            self.lock.notify()

    def _loop(self):
        try:
            while True:
                with self.lock:
                    while self.slot is None and not self.gap and not self.closing:
                        if not self._waiting():
                            self.lock.wait()
                        elif not self.lock.wait(RETRY_INTERVAL):
                            break  # no frame came: time to retry what waits for the database
                    if self.slot is None and not self.gap and self.closing:
                        return  # closing, nothing pending
                    work, gap = self.slot, self.gap
                    self.slot, self.gap = None, False
                try:
                    if work is None and not gap:
                        self.stored += len(self.analyser.retry())
                    if gap:
                        self.stored += len(self.analyser.flush())
                    if work is not None:
                        frame, frame_time, clock = work
                        self.stored += len(self.analyser.process(frame, frame_time, gate=self.gate, clock=clock))
                        self.analysed = self.analyser.frames_analysed
                except Exception:
                    log.exception("plate reading failed on camera %s", self.camera_id)
                    close_old_connections()  # a connection the database dropped is opened afresh next time
        finally:
            close_old_connections()

    def _waiting(self) -> int:
        """How many sightings wait for the database (analysers without such a queue: none)."""
        return getattr(self.analyser, "pending", 0)

    def close(self):
        """Finish pending work and end every open track; sightings waiting for the database get a last chance."""
        with self.lock:
            self.closing = True
            self.lock.notify()
        self.thread.join(60)
        try:
            self.stored += len(self.analyser.flush())
            deadline = time.monotonic() + CLOSE_RETRY_SECONDS
            while self._waiting() and time.monotonic() < deadline:
                time.sleep(RETRY_INTERVAL)
                close_old_connections()
                self.stored += len(self.analyser.retry())
            if self._waiting():
                log.error(
                    "camera %s: %d plate sightings not stored, the database stayed unavailable",
                    self.camera_id,
                    self._waiting(),
                )
        finally:
            close_old_connections()
