"""Manage pages: the overview, accounts, and the public page an e-mailed password link opens."""

import smtplib

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from cameras.models import DeviceToken
from incidents.models import Agency, IntakeSource
from plates.models import Hotlist

from ..decorators import requires
from ..models import User
from ..roles import Capability, Role, can, may_manage_user, roles_of_any
from . import services
from .forms import AccountForm

SECTIONS = [
    ("Users", "manage:users", Capability.MANAGE_USERS),
    ("Hotlists", "manage:hotlists", Capability.MANAGE_HOTLISTS),
    ("Agencies", "manage:agencies", Capability.MANAGE_AGENCIES),
    ("Keys", "manage:keys", Capability.MANAGE_KEYS),
]


def sections(user, current):
    return [
        {"label": label, "url_name": name, "active": name == current} for label, name, cap in SECTIONS if can(user, cap)
    ]


@requires(Capability.MANAGE_USERS)
def index(request):
    user = request.user
    counts = {
        "users": User.objects.filter(is_active=True).count(),
        "disabled": User.objects.filter(is_active=False).count(),
        "hotlists": Hotlist.objects.visible_to(user).filter(active=True).count(),
        "agencies": Agency.objects.filter(active=True).count(),
        "intake": IntakeSource.objects.usable().count(),
        "device_keys": DeviceToken.objects.usable().count(),
    }
    return render(request, "manage/index.html", {"counts": counts, "sections": sections(user, "manage:index")})


@requires(Capability.MANAGE_USERS)
def users(request):
    people = User.objects.select_related("agency").prefetch_related("groups").order_by("username")
    query = request.GET.get("q", "").strip()[:100]
    role = request.GET.get("role", "")
    if query:
        people = people.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    if role in Role.values:
        people = people.filter(groups__name=role)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "user": person,
            "roles": [Role(r).label for r in Role.values if r in {g.name for g in person.groups.all()}],
            "manageable": may_manage_user(request.user, person),
        }
        for person in page.object_list
    ]
    context = {
        "rows": rows,
        "page": page,
        "query": query,
        "role": role,
        "role_choices": Role.choices,
        "sections": sections(request.user, "manage:users"),
    }
    return render(request, "manage/users.html", context)


def _account_fields(form):
    return {name: form.cleaned_data[name] for name in form.Meta.fields if name in form.cleaned_data}


@requires(Capability.MANAGE_USERS)
def user_new(request):
    form = AccountForm(request.POST or None, actor=request.user, instance=User())
    if request.method == "POST" and form.is_valid():
        person = services.account_save(
            actor=request.user,
            user=User(),
            fields=_account_fields(form),
            roles=form.cleaned_data["roles"],
            request=request,
        )
        messages.success(request, f"Account {person.username} created.")
        if form.cleaned_data["send_reset"]:
            _send_reset(request, person)
        return redirect("manage:user", pk=person.pk)
    context = {"form": form, "sections": sections(request.user, "manage:users")}
    return render(request, "manage/user_form.html", context, status=400 if form.errors else 200)


@requires(Capability.MANAGE_USERS)
def user_edit(request, pk):
    person = get_object_or_404(User, pk=pk)
    manageable = may_manage_user(request.user, person)
    form = AccountForm(request.POST or None, actor=request.user, instance=person) if manageable else None
    if request.method == "POST":
        if not manageable:
            return _refuse(request)
        if form.is_valid():
            services.account_save(
                actor=request.user,
                user=person,
                fields=_account_fields(form),
                roles=form.cleaned_data["roles"],
                request=request,
            )
            messages.success(request, f"Account {person.username} saved.")
            return redirect("manage:user", pk=person.pk)
    context = {
        "person": person,
        "form": form,
        "manageable": manageable,
        "roles": [Role(r).label for r in sorted(roles_of_any(person))],
        "sections": sections(request.user, "manage:users"),
    }
    return render(request, "manage/user_form.html", context, status=400 if form and form.errors else 200)


def _refuse(request):
    return render(
        request,
        "403.html",
        {"exception": "Admins, supervisors and your own account are changed by an admin."},
        status=403,
    )


@requires(Capability.MANAGE_USERS)
@require_POST
def user_active(request, pk):
    person = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    services.account_set_active(actor=request.user, user=person, active=active, request=request)
    messages.success(request, f"Account {person.username} {'enabled' if active else 'disabled'}.")
    return redirect("manage:user", pk=person.pk)


@requires(Capability.MANAGE_USERS)
@require_POST
def user_reset(request, pk):
    person = get_object_or_404(User, pk=pk)
    if not may_manage_user(request.user, person):
        return _refuse(request)
    _send_reset(request, person)
    return redirect("manage:user", pk=person.pk)


def _send_reset(request, person):
    try:
        services.password_reset_send(actor=request.user, user=person, request=request)
    except ValueError as exc:
        messages.error(request, str(exc))
    except (OSError, smtplib.SMTPException):
        messages.error(request, "The e-mail could not be sent (mail server unreachable). Try again later.")
    else:
        messages.success(request, f"A link to set the password was e-mailed to {person.email}.")


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """The page an e-mailed link opens: the person chooses a password; the link is spent once it changes."""

    template_name = "manage/password_set.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_set_by_link(user=form.user, request=self.request)
        return response


password_reset_confirm = login_not_required(PasswordResetConfirm.as_view())
password_reset_complete = login_not_required(
    auth_views.PasswordResetCompleteView.as_view(template_name="manage/password_set_done.html")
)
