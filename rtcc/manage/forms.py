"""The manage pages' forms. None of them has a field for a superuser, staff, group or permission flag."""

from django import forms
from django.core.validators import URLValidator

from cameras.models import Camera
from incidents.models import Agency, IncidentType, IntakeSource
from plates.hotlist_import import _plate as hotlist_plate
from plates.models import Hotlist, HotlistEntry

from ..models import User
from ..roles import Capability, Role, assignable_roles, holders_of, roles_of_any

# The outbox posts only to these schemes; anything else would fail at the first dispatch.
WEBHOOK_SCHEMES = ["http", "https"]


class AccountForm(forms.ModelForm):
    """A person's account and the working roles the signed-in supervisor may give."""

    roles = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The working roles you may give. Supervisors and admins are made by an admin.",
    )
    send_reset = forms.BooleanField(
        required=False,
        initial=True,
        label="E-mail a link to set the password",
        help_text="The person chooses their own password; nobody else ever knows it.",
    )

    field_order = ["username", "first_name", "last_name", "email", "phone", "roles", "agency", "send_reset"]

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "phone", "agency"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["roles"].choices = [(r, Role(r).label) for r in assignable_roles(actor)]
        self.fields["agency"].queryset = Agency.objects.filter(active=True)
        self.fields["email"].required = True
        if self.instance.pk:
            self.fields["username"].disabled = True
            self.fields["roles"].initial = [r for r in assignable_roles(actor) if r in roles_of_any(self.instance)]
            del self.fields["send_reset"]

    def clean(self):
        data = super().clean()
        if Role.RESPONDER in data.get("roles", []) and not data.get("agency"):
            self.add_error("agency", "A responder must belong to an agency.")
        return data


class HotlistForm(forms.ModelForm):
    class Meta:
        model = Hotlist
        fields = ["name", "source", "priority", "visibility", "owner", "active", "description"]
        help_texts = {
            "visibility": "Owner-only (covert) lists are seen by their owner and supervisors alone.",
            "active": "An inactive list raises no hits; its entries are kept.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A list's owner must be someone who may see plates at all.
        owners = User.objects.filter(holders_of(Capability.VIEW_PLATES)).distinct().order_by("username")
        self.fields["owner"].queryset = owners
        self.fields["description"].widget.attrs["rows"] = 3


class HotlistEntryForm(forms.ModelForm):
    class Meta:
        model = HotlistEntry
        fields = ["plate", "region", "reason", "vehicle_description", "expires_at"]
        labels = {"region": "State or country", "expires_at": "Expires"}
        help_texts = {
            "plate": "? stands for one unknown character, * for any run.",
            "expires_at": "Empty: until removed.",
        }
        widgets = {"expires_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def clean_plate(self):
        try:
            return hotlist_plate(self.cleaned_data["plate"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc).capitalize() + ".") from None

    def clean_region(self):
        return self.cleaned_data["region"].strip().upper()

    def clean(self):
        data = super().clean()
        taken = HotlistEntry.objects.filter(
            hotlist=self.instance.hotlist, plate=data.get("plate"), region=data.get("region", "")
        )
        if data.get("plate") and taken.exists():
            self.add_error("plate", "This plate is already on the list.")
        return data


class AgencyForm(forms.ModelForm):
    new_secret = forms.BooleanField(
        required=False,
        label="Issue a new webhook signing secret",
        help_text="Shown once, on the next page; the agency's receiver checks signatures with it.",
    )

    class Meta:
        model = Agency
        fields = ["name", "short_name", "kind", "contact_email", "webhook_url", "ack_timeout_seconds", "active"]
        labels = {"ack_timeout_seconds": "Acknowledgement timeout (seconds)", "webhook_url": "Webhook address"}
        help_texts = {
            "webhook_url": "http:// or https:// only. Leave empty to notify by e-mail alone.",
            "ack_timeout_seconds": "An unacknowledged dispatch is escalated after this long (15 to 86400).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ack_timeout_seconds"].min_value = 15
        self.fields["ack_timeout_seconds"].max_value = 86_400
        self.fields["ack_timeout_seconds"].widget.attrs.update(min=15, max=86_400)

    def clean_webhook_url(self):
        url = self.cleaned_data["webhook_url"].strip()
        if url:
            URLValidator(schemes=WEBHOOK_SCHEMES, message="Enter an http:// or https:// address.")(url)
        return url

    def clean_ack_timeout_seconds(self):
        value = self.cleaned_data["ack_timeout_seconds"]
        if not 15 <= value <= 86_400:
            raise forms.ValidationError("Between 15 seconds and one day (86400).")
        return value


class IntakeSourceForm(forms.ModelForm):
    class Meta:
        model = IntakeSource
        fields = ["name", "kind", "default_type", "camera_radius_m"]
        labels = {"camera_radius_m": "Attach cameras within (metres)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_type"].queryset = IncidentType.objects.filter(active=True)

    def clean_camera_radius_m(self):
        radius = self.cleaned_data["camera_radius_m"]
        if not 10 <= radius <= 5_000:
            raise forms.ValidationError("Between 10 and 5000 metres.")
        return radius


class DeviceKeyForm(forms.Form):
    camera = forms.ModelChoiceField(
        queryset=Camera.objects.order_by("name"), help_text="The device may post plate reads for this camera alone."
    )
    label = forms.CharField(max_length=100, required=False, help_text="e.g. the unit's serial number.")
