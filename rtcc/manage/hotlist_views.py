"""Manage pages for hotlists and their entries. Owner-only lists appear only to their owner and supervisors."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from plates.models import Hotlist, HotlistEntry

from ..decorators import requires
from ..roles import Capability
from . import services
from .forms import HotlistEntryForm, HotlistForm
from .views import sections


@requires(Capability.MANAGE_HOTLISTS)
def hotlists(request):
    lists = Hotlist.objects.visible_to(request.user).select_related("owner").annotate(entry_count=Count("entries"))
    context = {"hotlists": lists, "sections": sections(request.user, "manage:hotlists")}
    return render(request, "manage/hotlists.html", context)


@requires(Capability.MANAGE_HOTLISTS)
def hotlist_new(request):
    form = HotlistForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        hotlist = services.hotlist_save(actor=request.user, hotlist=Hotlist(), fields=_fields(form), request=request)
        messages.success(request, f"Hotlist {hotlist.name} created.")
        return redirect("manage:hotlist", pk=hotlist.pk)
    context = {"form": form, "sections": sections(request.user, "manage:hotlists")}
    return render(request, "manage/hotlist_form.html", context, status=400 if form.errors else 200)


def _fields(form):
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


@requires(Capability.MANAGE_HOTLISTS)
def hotlist_detail(request, pk):
    hotlist = services.visible_hotlist(request.user, pk)
    form = HotlistForm(request.POST or None, instance=hotlist)
    if request.method == "POST" and form.is_valid():
        services.hotlist_save(actor=request.user, hotlist=hotlist, fields=_fields(form), request=request)
        messages.success(request, f"Hotlist {hotlist.name} saved.")
        return redirect("manage:hotlist", pk=hotlist.pk)
    if request.method == "POST":
        hotlist.refresh_from_db()  # the heading keeps the stored name while the form shows the refused one
    entry_form = HotlistEntryForm(instance=HotlistEntry(hotlist=hotlist))
    return _detail(request, hotlist, form, entry_form, status=400 if form.errors else 200)


def _detail(request, hotlist, form, entry_form, status=200):
    entries = hotlist.entries.all()
    query = request.GET.get("q", "").strip().upper()[:16]
    if query:
        entries = entries.filter(plate__contains=query)
    context = {
        "hotlist": hotlist,
        "form": form,
        "entry_form": entry_form,
        "page": Paginator(entries, 50).get_page(request.GET.get("page")),
        "query": query,
        "sections": sections(request.user, "manage:hotlists"),
    }
    return render(request, "manage/hotlist_detail.html", context, status=status)


@requires(Capability.MANAGE_HOTLISTS)
@require_POST
def entry_add(request, pk):
    hotlist = services.visible_hotlist(request.user, pk)
    entry_form = HotlistEntryForm(request.POST, instance=HotlistEntry(hotlist=hotlist))
    if not entry_form.is_valid():
        return _detail(request, hotlist, HotlistForm(instance=hotlist), entry_form, status=400)
    fields = {name: entry_form.cleaned_data[name] for name in entry_form.Meta.fields}
    entry = services.hotlist_entry_add(actor=request.user, hotlist=hotlist, fields=fields, request=request)
    messages.success(request, f"{entry.plate} added to {hotlist.name}.")
    return redirect("manage:hotlist", pk=hotlist.pk)


@requires(Capability.MANAGE_HOTLISTS)
@require_POST
def entry_remove(request, pk, entry_pk):
    hotlist = services.visible_hotlist(request.user, pk)
    services.hotlist_entry_remove(actor=request.user, hotlist=hotlist, entry_id=entry_pk, request=request)
    messages.success(request, f"Entry removed from {hotlist.name}.")
    return redirect("manage:hotlist", pk=hotlist.pk)
