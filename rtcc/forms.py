from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from . import throttle


class NoticeForm(forms.Form):
    text = forms.CharField(max_length=300, strip=True, label="Notice to all operators")
    severity = forms.ChoiceField(
        choices=[("info", "Info"), ("warning", "Warning"), ("critical", "Critical")], initial="info"
    )


class AuditFilterForm(forms.Form):
    """The audit review's filters. Empty fields filter nothing."""

    user = forms.CharField(required=False, max_length=150, label="Person (user name)")
    action = forms.CharField(required=False, max_length=64, label="Action starts with")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(required=False, max_length=100, label="Reason contains")

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end date is before the start date.")
        return data

    def filter(self, records):
        data = self.cleaned_data
        if data.get("user"):
            records = records.filter(actor_username__iexact=data["user"].strip())
        if data.get("action"):
            records = records.filter(action__startswith=data["action"].strip())
        if data.get("since"):
            records = records.filter(at__gte=timezone.make_aware(datetime.combine(data["since"], time.min)))
        if data.get("until"):
            end = datetime.combine(data["until"] + timedelta(days=1), time.min)
            records = records.filter(at__lt=timezone.make_aware(end))
        if data.get("reason"):
            records = records.filter(reason__icontains=data["reason"].strip())
        return records


class ThrottledAuthenticationForm(AuthenticationForm):
    """The sign-in form, refusing (before checking the password) a name or address that failed too often."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is not None and throttle.locked_out(self.request, username):
            raise forms.ValidationError(throttle.locked_message(), code="throttled")
        try:
            data = super().clean()
        except forms.ValidationError:
            throttle.note_failure(self.request, username)
            raise
        throttle.note_success(self.request, username)
        return data
