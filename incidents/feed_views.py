"""CAP 1.2 for other agencies' systems: each agency's Atom feed and its incidents' alerts.

Read with a signed-in session or HTTP Basic credentials of a member of that
agency (analysts may read every feed); failed Basic sign-ins count towards the
sign-in throttle like the login form's.
"""

import base64
import re

from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.cache import never_cache

from rtcc import throttle
from rtcc.roles import Capability, can

from . import cap
from .models import Agency, Incident

_NOT_CREDENTIALS = re.compile(r"[\x00-\x1f\x7f]")


def _feed_reader(request, agency):
    """The user reading an agency's feed: a signed-in session, or HTTP Basic credentials of that agency's member."""
    user = request.user
    if not user.is_authenticated:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.lower().startswith("basic "):
            try:
                username, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
            except ValueError:  # not base64 (binascii.Error), non-ASCII text, or bytes that are not UTF-8
                return None
            if _NOT_CREDENTIALS.search(username + password):
                return None  # control characters (NUL included) are in no account's name or password
            if throttle.locked_out(request, username):
                return None
            user = authenticate(request, username=username, password=password)
            if user is None:
                throttle.note_failure(request, username)
            else:
                throttle.note_success(request, username)
    if user is None or not user.is_authenticated:
        return None
    if can(user, Capability.VIEW_INCIDENTS) or (can(user, Capability.RESPOND) and user.agency_id == agency.pk):
        return user
    return False


def _unauthorised(agency):
    response = HttpResponse(
        "Sign in with the user name and password of an account of this agency (HTTP Basic).",
        status=401,
        content_type="text/plain",
    )
    response["WWW-Authenticate"] = f'Basic realm="RTCC CAP feed {agency.short_name}", charset="UTF-8"'
    return response


@login_not_required
@never_cache
def agency_feed(request, agency):
    agency = get_object_or_404(Agency, short_name=agency, active=True)
    reader = _feed_reader(request, agency)
    if reader is None:
        return _unauthorised(agency)
    if reader is False:
        return HttpResponse("This account is not a member of that agency.", status=403, content_type="text/plain")
    url = request.build_absolute_uri(reverse("incidents:agency-feed", args=[agency.short_name]))
    return HttpResponse(cap.agency_feed_xml(agency, feed_url=url), content_type=cap.ATOM_CONTENT_TYPE)


@login_not_required
@never_cache
def agency_cap(request, agency, pk):
    agency = get_object_or_404(Agency, short_name=agency, active=True)
    reader = _feed_reader(request, agency)
    if reader is None:
        return _unauthorised(agency)
    if reader is False:
        return HttpResponse("This account is not a member of that agency.", status=403, content_type="text/plain")
    incident = get_object_or_404(Incident.objects.select_related("incident_type"), pk=pk, dispatches__agency=agency)
    return HttpResponse(cap.alert_xml(incident), content_type=cap.CAP_CONTENT_TYPE)
