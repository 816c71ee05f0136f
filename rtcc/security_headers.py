"""Security headers on every response: a strict Content-Security-Policy, Permissions-Policy and CORP.

Django 5.2 has no Content-Security-Policy of its own. The policy allows no inline script, no inline style and no
eval: pages load scripts and stylesheets from static/ only, hand data to scripts in json_script blocks, and
sizes and colours that come from the data are set through the CSSOM by static/rtcc/common.js (`el.style.width
= ...`, which CSP allows), never in a style= attribute. Django's SecurityMiddleware sends the other headers a
review expects (X-Content-Type-Options, Referrer-Policy, Cross-Origin-Opener-Policy, HSTS: settings SECURE_*),
and XFrameOptionsMiddleware X-Frame-Options.
"""

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost, ImproperlyConfigured
from django.utils.deprecation import MiddlewareMixin

# The map may show cameras on top of a tile server of the city's choice; nothing else comes from another host.
BASE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "connect-src": ["'self'"],
    "media-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
# The public registration form ("use my location") asks where the device is, from this site only; no page may
# use the camera or microphone of a control-room machine.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(self)"


@functools.lru_cache(maxsize=4)
def tile_source(url):
    """The CSP source for a Leaflet tile URL template, e.g. `https://{s}.tile.example.org/{z}/{x}/{y}.png` ->
    `https://*.tile.example.org` (a placeholder may stand only for the host's first label: CSP's wildcard)."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    name, colon, port = host.partition(":") if not host.startswith("[") else (host, "", "")
    labels = name.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    if "{" in ".".join(labels) or "{" in port or not name:
        raise ImproperlyConfigured(
            f"RTCC_MAP_TILE_URL={url!r}: a {{placeholder}} may stand only for the first part of the host name "
            "(as in https://{s}.tile.example.org/{z}/{x}/{y}.png), so the Content-Security-Policy can allow it."
        )
    return f"{parts.scheme}://{'.'.join(labels)}{colon}{port}"


def build_policy(tile_url, host=None):
    """The Content-Security-Policy header's value; `host` (the request's) adds its websocket origins."""
    policy = {directive: list(sources) for directive, sources in BASE_POLICY.items()}
    tiles = tile_source(tile_url)
    if tiles:
        policy["img-src"].append(tiles)
    if host:
        # CSP 3 lets 'self' cover ws: and wss: on the page's host, but older browsers do not: name them.
        policy["connect-src"] += [f"ws://{host}", f"wss://{host}"]
    return "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in policy.items())


class SecurityHeadersMiddleware(MiddlewareMixin):
    """Adds the Content-Security-Policy, Permissions-Policy and Cross-Origin-Resource-Policy to every response."""

    def __init__(self, get_response):
        super().__init__(get_response)
        tile_source(settings.RTCC_MAP_TILE_URL)  # a tile URL the policy cannot name stops the start

    def process_response(self, request, response):
        try:
            host = request.get_host()
        except DisallowedHost:
            host = None  # an unknown Host gets an error page, which opens no websocket; never echo that host
        response.headers.setdefault("Content-Security-Policy", build_policy(settings.RTCC_MAP_TILE_URL, host))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # Images, clips and exports are for this site's own pages: no other site may embed them.
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
