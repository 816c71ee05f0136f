"""Signed links for owners: confirm a registration, manage it, answer a footage request.

Each purpose has its own salt, so a link made for one cannot be used for
another. Site links carry the site's `link_nonce`: changing it (on request,
or when the site is deleted) revokes every link sent before. Upload links
carry their footage request's own `link_nonce`, so knowing the signing key
and a request's number is not enough to make one. Links are
absolute, built from RTCC_PUBLIC_BASE_URL, because they travel by e-mail.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

CONFIRM = "registry.confirm"
MANAGE = "registry.manage"
UPLOAD = "registry.footage-upload"


class LinkRefused(Exception):
    """A link that cannot be used. `status` is the HTTP answer; `message` is shown to the owner."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def absolute(path: str) -> str:
    return settings.RTCC_PUBLIC_BASE_URL.rstrip("/") + path


def _load(token: str, salt: str, max_age: timedelta) -> dict:
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkRefused(410, "This link has expired.") from None
    except signing.BadSignature:
        raise LinkRefused(400, "This link is not valid. It may have been copied incompletely.") from None
    if not isinstance(payload, dict):
        raise LinkRefused(400, "This link is not valid. It may have been copied incompletely.")
    return payload


def confirm_token(site) -> str:
    return signing.dumps({"site": site.pk, "nonce": site.link_nonce}, salt=CONFIRM, compress=True)


def manage_token(site) -> str:
    return signing.dumps({"site": site.pk, "nonce": site.link_nonce}, salt=MANAGE, compress=True)


def upload_token(footage_request) -> str:
    return signing.dumps(
        {"request": footage_request.pk, "nonce": footage_request.link_nonce}, salt=UPLOAD, compress=True
    )


def confirm_url(site) -> str:
    return absolute(reverse("registry-public:confirm", args=[confirm_token(site)]))


def manage_url(site) -> str:
    return absolute(reverse("registry-public:manage", args=[manage_token(site)]))


def upload_url(footage_request) -> str:
    return absolute(reverse("registry-public:upload", args=[upload_token(footage_request)]))


def _site(payload: dict):
    from .models import RegisteredSite

    site = RegisteredSite.objects.filter(pk=payload.get("site")).first()
    # A deleted site and a revoked link read the same: nothing tells a visitor which ids exist.
    if site is None or payload.get("nonce") != site.link_nonce:
        raise LinkRefused(410, "This link is no longer valid. The registration was deleted or the link was replaced.")
    return site


def site_for_confirm(token: str):
    return _site(_load(token, CONFIRM, timedelta(hours=settings.RTCC_REGISTRY_CONFIRM_HOURS)))


def site_for_manage(token: str):
    return _site(_load(token, MANAGE, timedelta(days=settings.RTCC_REGISTRY_MANAGE_DAYS)))


def request_for_upload(token: str):
    """The footage request an upload link names; the request's own deadline decides expiry."""
    from .forms import LONGEST_DEADLINE_HOURS
    from .models import FootageRequest

    # The signature itself is good for a little longer than any deadline could be; the deadline is checked by callers.
    longest = max(LONGEST_DEADLINE_HOURS, settings.RTCC_FOOTAGE_REQUEST_DEADLINE_HOURS * 4)
    max_age = timedelta(hours=longest + 24)
    payload = _load(token, UPLOAD, max_age)
    footage_request = (
        FootageRequest.objects.select_related("registered_camera__site", "incident")
        .filter(pk=payload.get("request"))
        .first()
    )
    # A request made before links carried a nonce has none (""), and its old links carry none either.
    if footage_request is None or payload.get("nonce", "") != footage_request.link_nonce:
        raise LinkRefused(410, "This footage request no longer exists.")
    return footage_request
