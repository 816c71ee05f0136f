from django import forms

from cameras.models import Camera

from .selectors import SearchError, plate_filter


class PlateSearchForm(forms.Form):
    plate = forms.CharField(
        max_length=16, help_text="Part of a plate (ABC12), or a pattern: ? is one unknown character, * any run."
    )
    camera = forms.ModelChoiceField(queryset=Camera.objects.all(), required=False, empty_label="Any camera")
    since = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    until = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(
        min_length=8,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why you are searching (case or incident number and purpose). Recorded in the audit log.",
    )

    def clean_plate(self):
        value = self.cleaned_data["plate"]
        try:
            plate_filter(value)
        except SearchError as exc:
            raise forms.ValidationError(str(exc)) from None
        return value.upper()

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end of the window is before its start.")
        return data
