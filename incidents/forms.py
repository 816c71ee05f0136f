"""Forms for the analysts' incident pages."""

from django import forms

from .choices import IncidentPriority, IncidentStatus
from .models import Agency, Incident, IncidentType


class IncidentForm(forms.ModelForm):
    """Create or edit an incident. The location comes from the map pin (or typed coordinates)."""

    class Meta:
        model = Incident
        fields = ["incident_type", "priority", "title", "address", "latitude", "longitude", "cad_number", "description"]
        labels = {"cad_number": "CAD / case number", "incident_type": "Type"}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "placeholder": "click the map"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "placeholder": "click the map"}),
        }
        help_texts = {"description": "Shown to the agencies you dispatch to: no plate or owner details here."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident_type"].queryset = IncidentType.objects.filter(active=True)
        self.fields["incident_type"].empty_label = "Choose a type…"
        self.fields["priority"].choices = IncidentPriority.choices
        self.fields["title"].widget.attrs["placeholder"] = "What is happening, in a few words"
        self.fields["address"].widget.attrs["placeholder"] = "Street address or landmark"
        for name in ("latitude", "longitude"):
            self.fields[name].error_messages["required"] = "Place the pin on the map (or type the coordinates)."


class DispatchForm(forms.Form):
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one agency to dispatch to."},
    )
    message = forms.CharField(max_length=500, required=False, widget=forms.TextInput(attrs={"placeholder": "Optional"}))

    def __init__(self, *args, incident=None, **kwargs):
        super().__init__(*args, **kwargs)
        if incident is not None:
            self.fields["agencies"].queryset = Agency.objects.filter(active=True).exclude(dispatches__incident=incident)


class NoteForm(forms.Form):
    text = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 2}), label="Note")
    internal = forms.BooleanField(required=False, label="Analysts only (not shown to responders)")


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=IncidentStatus.choices)


class PlateAttachForm(forms.Form):
    hit = forms.IntegerField(required=False, min_value=1, label="Hit number")
    read = forms.IntegerField(required=False, min_value=1, label="Plate read number")

    def clean(self):
        data = super().clean()
        if bool(data.get("hit")) == bool(data.get("read")):
            raise forms.ValidationError("Give either a hit number or a plate read number.")
        return data
