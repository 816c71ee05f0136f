"""Small local HTTP servers that behave like good and bad cameras: MJPEG, a stall mid-stream, garbage bytes."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np

BOUNDARY = b"rtccframe"


def jpeg_frame(n, size=(320, 240)):
    frame = np.full((size[1], size[0], 3), 40, np.uint8)
    cv2.putText(frame, f"frame {n}", (20, size[1] // 2), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2)
    return cv2.imencode(".jpg", frame)[1].tobytes()


class CameraHandler(BaseHTTPRequestHandler):
    mode = "mjpeg"  # mjpeg | stall | garbage
    fps = 10
    frames_before_stall = 5

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        if self.server.mode == "garbage":
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.end_headers()
            rng = np.random.default_rng(7)
            try:
                for _ in range(200):
                    self.wfile.write(rng.bytes(4096))
            except OSError:
                pass
            return
        self.send_response(200)
        self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY.decode()}")
        self.end_headers()
        n = 0
        try:
            while not self.server.stopping.is_set():
                if self.server.mode == "stall" and self.server.frames_sent >= self.frames_before_stall:
                    # Keep the connection open and send nothing: a camera that froze mid-stream.
                    self.server.stopping.wait(60)
                    return
                data = jpeg_frame(n)
                self.wfile.write(
                    b"--"
                    + BOUNDARY
                    + b"\r\nContent-Type: image/jpeg\r\nContent-Length: "
                    + str(len(data)).encode()
                    + b"\r\n\r\n"
                    + data
                    + b"\r\n"
                )
                n += 1
                self.server.frames_sent += 1
                time.sleep(1 / self.fps)
        except OSError:
            return


class CameraServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mode):
        super().__init__(("127.0.0.1", 0), CameraHandler)
        self.mode = mode
        self.frames_sent = 0  # across connections: a frozen camera stays frozen when reconnected
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/video.mjpg"

    def stop(self):
        self.stopping.set()
        self.shutdown()
        self.server_close()


def raw_post(url, path, headers, body_chunks):
    """POST over a plain socket, chunk by chunk; return (status line, bytes sent before the server stopped us)."""
    host, port = url.replace("http://", "").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(head.encode() + b"\r\n")
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            answer = sock.recv(4096)
        except ConnectionResetError:
            answer = b""
    return answer.split(b"\r\n", 1)[0].decode(), sent
