from django import forms
from django.core.validators import RegexValidator

from cameras.models import Camera

from .selectors import Match, SearchError, plate_filter

CASE_NUMBER = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9 ./#_-]{1,63}$",
    "A case or incident number: letters, digits and - / . # _ (for example 2026-004512 or RTCC-000123).",
)


class PlateSearchForm(forms.Form):
    plate = forms.CharField(
        max_length=16, help_text="Part of a plate (ABC12), or a pattern: ? is one unknown character, * any run."
    )
    match = forms.ChoiceField(choices=Match.CHOICES, initial=Match.PARTIAL, required=False, label="Match")
    camera = forms.ModelChoiceField(queryset=Camera.objects.all(), required=False, empty_label="Any camera")
    near_latitude = forms.DecimalField(
        required=False, min_value=-90, max_value=90, decimal_places=6, label="Area: latitude"
    )
    near_longitude = forms.DecimalField(
        required=False, min_value=-180, max_value=180, decimal_places=6, label="Area: longitude"
    )
    radius_m = forms.IntegerField(
        required=False, min_value=50, max_value=50_000, label="Area: radius (m)", help_text="Cameras within it."
    )
    since = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    until = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    case_number = forms.CharField(
        max_length=64,
        validators=[CASE_NUMBER],
        label="Case or incident number",
        help_text="Required. Recorded in the audit log with the search.",
    )
    reason = forms.CharField(
        min_length=8,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why you are searching. Recorded in the audit log.",
    )

    def clean_match(self):
        return self.cleaned_data.get("match") or Match.PARTIAL

    def clean_plate(self):
        return self.cleaned_data["plate"].upper()

    def clean(self):
        data = super().clean()
        if data.get("plate") and data.get("match"):
            try:
                plate_filter(data["plate"], data["match"])
            except SearchError as exc:
                self.add_error("plate", str(exc))
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end of the window is before its start.")
        area = [data.get("near_latitude"), data.get("near_longitude"), data.get("radius_m")]
        if any(v is not None for v in area) and not all(v is not None for v in area):
            self.add_error("radius_m", "An area needs a latitude, a longitude and a radius.")
        return data
