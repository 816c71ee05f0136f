"""Manage pages for agencies (timeouts, webhook, contact) and for the keys other systems call the API with.

A key or webhook secret is on the page answering the POST that issued it, and nowhere else, ever again:
that answer is never cached, and only a hash (keys) is kept.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cameras.models import DeviceToken
from incidents.models import Agency, IntakeSource

from ..decorators import requires
from ..roles import Capability
from . import services
from .forms import AgencyForm, DeviceKeyForm, IntakeSourceForm
from .views import sections

INTAKE_ENDPOINTS = {"cad": "intake-cad", "gunshot": "intake-gunshot"}


@requires(Capability.MANAGE_AGENCIES)
def agencies(request):
    context = {"agencies": Agency.objects.all(), "sections": sections(request.user, "manage:agencies")}
    return render(request, "manage/agencies.html", context)


@requires(Capability.MANAGE_AGENCIES)
@never_cache
def agency_new(request):
    return _agency_form(request, Agency())


@requires(Capability.MANAGE_AGENCIES)
@never_cache
def agency_edit(request, pk):
    return _agency_form(request, get_object_or_404(Agency, pk=pk))


def _agency_form(request, agency):
    form = AgencyForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        agency, secret = services.agency_save(
            actor=request.user,
            agency=Agency.objects.get(pk=agency.pk) if agency.pk else Agency(),
            fields=fields,
            new_secret=form.cleaned_data["new_secret"],
            request=request,
        )
        if secret is None:
            messages.success(request, f"{agency.name} saved.")
            return redirect("manage:agencies")
        context = {"agency": agency, "secret": secret, "sections": sections(request.user, "manage:agencies")}
        return render(request, "manage/secret_issued.html", context)
    if agency.pk:
        agency.refresh_from_db()  # the heading shows the stored name, not a refused edit
    context = {"form": form, "agency": agency, "sections": sections(request.user, "manage:agencies")}
    return render(request, "manage/agency_form.html", context, status=400 if form.errors else 200)


@requires(Capability.MANAGE_KEYS)
def keys(request):
    return _keys(request, IntakeSourceForm(), DeviceKeyForm())


def _keys(request, intake_form, device_form, status=200):
    context = {
        "intake_sources": IntakeSource.objects.select_related("default_type"),
        "device_keys": DeviceToken.objects.select_related("camera"),
        "intake_form": intake_form,
        "device_form": device_form,
        "sections": sections(request.user, "manage:keys"),
    }
    return render(request, "manage/keys.html", context, status=status)


@requires(Capability.MANAGE_KEYS)
@require_POST
@never_cache
def intake_new(request):
    form = IntakeSourceForm(request.POST)
    if not form.is_valid():
        return _keys(request, form, DeviceKeyForm(), status=400)
    fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
    source, key = services.intake_source_issue(actor=request.user, fields=fields, request=request)
    context = {
        "holder": source,
        "key": key,
        "header": f"Authorization: Intake {key}",
        "endpoint": reverse(INTAKE_ENDPOINTS[source.kind]),
        "sections": sections(request.user, "manage:keys"),
    }
    return render(request, "manage/key_issued.html", context)


@requires(Capability.MANAGE_KEYS)
@require_POST
def intake_revoke(request, pk):
    source = get_object_or_404(IntakeSource, pk=pk)
    services.intake_source_revoke(actor=request.user, source=source, request=request)
    messages.success(request, f"The key of {source.name} is revoked: its calls are refused from now on.")
    return redirect("manage:keys")


@requires(Capability.MANAGE_KEYS)
@require_POST
@never_cache
def device_new(request):
    form = DeviceKeyForm(request.POST)
    if not form.is_valid():
        return _keys(request, IntakeSourceForm(), form, status=400)
    token, key = services.device_key_issue(
        actor=request.user, camera=form.cleaned_data["camera"], label=form.cleaned_data["label"], request=request
    )
    context = {
        "holder": token,
        "key": key,
        "header": f"Authorization: Device {key}",
        "endpoint": reverse("plate-read-ingest", args=[token.camera_id]),
        "sections": sections(request.user, "manage:keys"),
    }
    return render(request, "manage/key_issued.html", context)


@requires(Capability.MANAGE_KEYS)
@require_POST
def device_revoke(request, pk):
    token = get_object_or_404(DeviceToken.objects.select_related("camera"), pk=pk)
    services.device_key_revoke(actor=request.user, token=token, request=request)
    messages.success(request, f"Key {token.key_prefix}… for {token.camera} is revoked.")
    return redirect("manage:keys")
