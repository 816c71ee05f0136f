#!/usr/bin/python3
"""A real RTSP camera server for tests, benchmarks and demos (GStreamer's RTSP server).

Runs under Debian's /usr/bin/python3 (python3-gi, gir1.2-gst-rtsp-server-1.0,
gstreamer1.0-plugins-{base,good,ugly}); the project's venv does not need gi.

    /usr/bin/python3 scripts/rtsp_server.py --port 8554 \
        --mount cam1=test:ball:1280x720:15 \
        --mount plate=frames:var/clip/frame%04d.jpg:10 \
        --mount still=image:var/car.jpg:10

serves rtsp://127.0.0.1:8554/cam1 and so on, H.264 over RTP. Prints READY
when listening; stops cleanly on SIGTERM or SIGINT.

With --stamp, each frame is released in real time (paced by the pipeline clock, before it is
encoded) and the wall-clock time of that moment is printed as `FRAME <mount> <n> <unix time>`,
n counting from 0 since the mount's stream started: a benchmark knows when the camera showed
frame n (bench/bench_live.py).
"""

import argparse
import signal
import sys
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

ENCODE = (
    "videoconvert ! video/x-raw,format=I420 ! "
    "x264enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} bitrate=2000 ! "
    "rtph264pay name=pay0 pt=96 config-interval=1"
)


def launch_line(spec, stamp=False):
    kind, _, rest = spec.partition(":")
    if kind == "test":
        pattern, size, fps = rest.split(":")
        width, height = size.split("x")
        source = (
            f"videotestsrc is-live=true pattern={pattern} ! "
            f"video/x-raw,width={width},height={height},framerate={fps}/1 ! timeoverlay"
        )
    elif kind == "frames":
        location, fps = rest.rsplit(":", 1)
        source = f"multifilesrc location={location} loop=true caps=image/jpeg,framerate={fps}/1 ! jpegdec"
    elif kind == "image":
        location, fps = rest.rsplit(":", 1)
        source = (
            f"filesrc location={location} ! decodebin ! videoconvert ! imagefreeze is-live=true ! "
            f"video/x-raw,framerate={fps}/1"
        )
    else:
        raise SystemExit(f"unknown source kind {kind!r}: use test:, frames: or image:")
    fps = int(rest.rsplit(":", 1)[1])
    if stamp:
        source += " ! identity name=stamp sync=true"
    return f"( {source} ! {ENCODE.format(gop=max(1, fps))} )"


def print_frame_times(mount):
    """A media-configure handler: print the wall-clock time each frame leaves the `stamp` element."""

    def configure(factory, media):
        count = [0]

        def probe(pad, info):
            print(f"FRAME {mount} {count[0]} {time.time():.6f}", flush=True)
            count[0] += 1
            return Gst.PadProbeReturn.OK

        stamp = media.get_element().get_by_name("stamp")
        stamp.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, probe)

    return configure


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mount", action="append", required=True, help="NAME=SPEC")
    parser.add_argument("--stamp", action="store_true", help="print the wall-clock time of every frame")
    args = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    mounts = server.get_mount_points()
    for mount in args.mount:
        name, _, spec = mount.partition("=")
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch_line(spec, stamp=args.stamp))
        factory.set_shared(True)
        if args.stamp:
            factory.connect("media-configure", print_frame_times(name))
        mounts.add_factory(f"/{name}", factory)
    if server.attach(None) == 0:
        raise SystemExit(f"could not listen on 127.0.0.1:{args.port}")
    loop = GLib.MainLoop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, loop.quit)
    print("READY", flush=True)
    sys.stdout.flush()
    loop.run()


if __name__ == "__main__":
    main()
