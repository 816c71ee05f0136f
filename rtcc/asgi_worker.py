"""Gunicorn's worker class for rtcc: uvicorn that never rewrites the client address from forwarded headers.

Which forwarded hops to believe is decided in one place, by the application (`rtcc.audit.client_address`
with RTCC_TRUSTED_PROXY_COUNT), so the web server must hand it the socket's address untouched: with
uvicorn's own proxy handling any client could name itself in `X-Forwarded-For` and dodge the sign-in
throttle or forge the audit log's address.
"""

from uvicorn.workers import UvicornWorker as _UvicornWorker

# Uvicorn's settings for rtcc, used by gunicorn (this worker) and by `manage.py serve` alike.
UVICORN_SETTINGS = {"proxy_headers": False, "lifespan": "off"}


class UvicornWorker(_UvicornWorker):
    CONFIG_KWARGS = {**_UvicornWorker.CONFIG_KWARGS, **UVICORN_SETTINGS}
