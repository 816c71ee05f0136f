"""The public side of the registry: no login, reached by anyone or through a signed link.

Every page here is `login_not_required`; every POST is CSRF-protected and
counted against the caller's address; links are checked by `registry.links`,
and a bad link answers with a plain refusal page, never with data.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from cameras.streams import redact_url
from footage.library import ClipTooLarge
from rtcc.audit import client_address

from . import links, services
from .choices import SiteStatus
from .forms import DeclineForm, RegistrationForm, SiteForm, camera_formset, with_one_more_camera
from .ratelimit import over_limit
from .uploads import LimitedUploadHandler, body_limit
from .validation import validate_video_content, validate_video_name


def public(view):
    """A page anyone may open: no login, never cached, and every POST counted against the caller's address."""

    @login_not_required
    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and over_limit(request, "post"):
            return slow_down(request)
        try:
            return view(request, *args, **kwargs)
        except links.LinkRefused as refused:
            return render(request, "registry/public/refused.html", {"message": refused.message}, status=refused.status)

    return wrapper


def slow_down(request):
    minutes = max(1, settings.RTCC_REGISTRY_RATE_WINDOW_SECONDS // 60)
    response = render(request, "registry/public/slow_down.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(settings.RTCC_REGISTRY_RATE_WINDOW_SECONDS)
    return response


def _form_context(form, formset, **extra):
    return {
        "form": form,
        "formset": formset,
        "max_cameras": settings.RTCC_REGISTRY_MAX_CAMERAS,
        "map_config": {
            "center": [settings.RTCC_MAP_CENTER_LAT, settings.RTCC_MAP_CENTER_LON],
            "zoom": settings.RTCC_MAP_ZOOM + 3,
            "tileUrl": settings.RTCC_MAP_TILE_URL,
            "attribution": settings.RTCC_MAP_TILE_ATTRIBUTION,
        },
        **extra,
    }


def _kept_cameras(formset):
    return [f.cleaned_data for f in formset.forms if f.cleaned_data and not formset._should_delete_form(f)]


# --- Registering -----------------------------------------------------------------------------


@public
def register(request):
    if request.method != "POST":
        return render(request, "registry/public/register.html", _form_context(RegistrationForm(), camera_formset()))
    form = RegistrationForm(request.POST)
    if "add_camera" in request.POST:
        formset = camera_formset(with_one_more_camera(request.POST))
        return render(request, "registry/public/register.html", _form_context(form, formset, quiet=True))
    formset = camera_formset(request.POST)
    if form.is_robot():
        return redirect("registry-public:check_email")  # looks like success; nothing is stored or sent
    if form.is_valid() and formset.is_valid():
        services.registration_submit(
            site_data=form.cleaned_data, cameras_data=_kept_cameras(formset), client_address=client_address(request)
        )
        return redirect("registry-public:check_email")
    return render(request, "registry/public/register.html", _form_context(form, formset), status=400)


@public
def check_email(request):
    return render(request, "registry/public/check_email.html", {"hours": settings.RTCC_REGISTRY_CONFIRM_HOURS})


@public
def terms(request):
    return render(request, "registry/public/terms.html")


@public
def confirm(request, token):
    site = links.site_for_confirm(token)
    if request.method == "POST":
        services.registration_confirm(site=site)
        site.refresh_from_db()
    return render(
        request,
        "registry/public/confirm.html",
        {"site": site, "confirmed": site.status != SiteStatus.UNCONFIRMED, "manage_url": links.manage_url(site)},
    )


# --- Managing through the signed link --------------------------------------------------------


def _site_initial(site):
    return {name: getattr(site, name) for name in services.SITE_FIELDS}


def _camera_initial(site):
    return [
        {
            "camera_id": cam.pk,
            "placement": cam.placement,
            "bearing": "" if cam.bearing is None else str(cam.bearing),
            "field_of_view": "" if cam.field_of_view is None else str(cam.field_of_view),
            "covers": cam.covers,
            "retention_days": cam.retention_days,
            "shares_live_feed": cam.shares_live_feed,
            "stream_url": redact_url(cam.stream_url),
        }
        for cam in site.cameras.all()
    ]


@public
def manage(request, token):
    site = links.site_for_manage(token)
    stored = {cam.pk: cam.stream_url for cam in site.cameras.all() if cam.stream_url}
    quiet = False
    if request.method == "POST":
        form = SiteForm(request.POST)
        if "add_camera" in request.POST:
            formset = camera_formset(with_one_more_camera(request.POST), stored_stream_urls=stored)
            quiet = True
        else:
            formset = camera_formset(request.POST, stored_stream_urls=stored)
            if form.is_valid() and formset.is_valid():
                back_to_review = services.registration_update(
                    site=site, site_data=form.cleaned_data, cameras_data=_kept_cameras(formset)
                )
                note = "Your changes are saved."
                if back_to_review:
                    note += " Staff will review the registration again."
                messages.success(request, note)
                return redirect(request.path)
    else:
        form = SiteForm(initial=_site_initial(site))
        formset = camera_formset(initial=_camera_initial(site), stored_stream_urls=stored)
    context = _form_context(
        form,
        formset,
        site=site,
        token=token,
        quiet=quiet,
        shared_cameras=[cam for cam in site.cameras.all() if cam.shares_live_feed],
    )
    refused = request.method == "POST" and not quiet and (form.errors or formset.total_error_count())
    return render(request, "registry/public/manage.html", context, status=400 if refused else 200)


@public
@require_POST
def verify(request, token):
    site = links.site_for_manage(token)
    services.registration_verify(site=site)
    messages.success(request, "Thank you: your details are marked as still correct.")
    return redirect("registry-public:manage", token=token)


@public
@require_POST
def stop_sharing(request, token, camera_id):
    site = links.site_for_manage(token)
    reg = site.cameras.filter(pk=camera_id).first()
    if reg is None:
        raise links.LinkRefused(404, "That camera is not part of this registration.")
    services.live_feed_stop(site=site, registered_camera_id=reg.pk)
    messages.success(request, f"The live picture of “{reg.placement}” is no longer shared. It stopped straight away.")
    return redirect("registry-public:manage", token=token)


@public
@require_POST
def new_link(request, token):
    site = links.site_for_manage(token)
    services.registration_replace_links(site=site)
    return render(request, "registry/public/new_link.html")


@public
def delete(request, token):
    site = links.site_for_manage(token)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Tick the box to confirm you want to delete the registration.")
            return redirect("registry-public:delete", token=token)
        services.registration_delete(site=site, client_address=client_address(request))
        return render(request, "registry/public/deleted.html")
    return render(request, "registry/public/delete.html", {"site": site, "token": token})


# --- Footage requests --------------------------------------------------------------------------


def _footage_context(footage_request, **extra):
    return {
        "footage_request": footage_request,
        "camera": footage_request.registered_camera,
        "max_mb": settings.RTCC_FOOTAGE_UPLOAD_MAX_BYTES // (1024 * 1024),
        "clips": list(footage_request.clips.order_by("created_at")),
        "decline_form": DeclineForm(),
        **extra,
    }


def _closed(request, footage_request, reason):
    return render(
        request,
        "registry/public/footage_closed.html",
        {"footage_request": footage_request, "reason": reason},
        status=410,
    )


@csrf_exempt  # the upload handler must be in place before the body is read; CSRF is checked just below
@login_not_required
def footage_upload(request, token):
    if request.method == "POST":
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > body_limit():
            return _too_large(request, token)
        request.upload_handlers = [LimitedUploadHandler(request)]
    return _footage_upload(request, token)


@public
@csrf_protect
def _footage_upload(request, token):
    footage_request = links.request_for_upload(token)
    try:
        services.footage_request_check_open(footage_request)
    except services.FootageRequestClosed as closed:
        return _closed(request, footage_request, str(closed))
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    services.footage_request_opened(footage_request)
    if request.method == "GET":
        return render(request, "registry/public/footage_upload.html", _footage_context(footage_request))

    handler = request.upload_handlers[0] if request.upload_handlers else None
    files = request.FILES.getlist("video")
    if isinstance(handler, LimitedUploadHandler) and handler.exceeded:
        return _too_large(request, token)
    error = None
    if not files:
        error = "Choose a video file to upload."
    for uploaded in files:
        if error:
            break
        try:
            validate_video_name(uploaded.name)
            uploaded.content_type = validate_video_content(uploaded)
        except ValidationError as exc:
            error = exc.messages[0]
            break
    if error:
        context = _footage_context(footage_request, upload_error=error)
        return render(request, "registry/public/footage_upload.html", context, status=400)
    received = []
    for uploaded in files:
        try:
            received.append(
                services.footage_upload_receive(
                    footage_request=footage_request, uploaded_file=uploaded, client_address=client_address(request)
                )
            )
        except ClipTooLarge:
            return _too_large(request, token)
        finally:
            uploaded.close()
    return render(request, "registry/public/footage_received.html", {"clips": received, "token": token})


def _too_large(request, token):
    max_mb = settings.RTCC_FOOTAGE_UPLOAD_MAX_BYTES // (1024 * 1024)
    message = f"The upload was stopped because it is larger than {max_mb} MB. Choose a shorter clip or split it."
    response = render(
        request,
        "registry/public/refused.html",
        {
            "message": message,
            "title": "The file is too large",
            "back_url": reverse("registry-public:upload", args=[token]),
        },
        status=413,
    )
    response["Connection"] = "close"
    return response


@public
@require_POST
def footage_decline(request, token):
    footage_request = links.request_for_upload(token)
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.footage_request_decline(footage_request, reason=reason)
    except services.FootageRequestClosed as closed:
        return _closed(request, footage_request, str(closed))
    return render(request, "registry/public/footage_declined.html")
