"""Forms of the registry: the public registration (a site and its cameras), and the staff forms."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from cameras.stream_urls import redact_url

from .choices import Coverage
from .validation import no_markup, strip_control, validate_phone, validate_stream_url

TERMS_VERSION = "2026-1"
# The longest an owner may be given to answer a footage request; upload links are signed to last this long.
LONGEST_DEADLINE_HOURS = 24 * 30

COMPASS = [
    ("", "I don't know"),
    ("0", "North (0°)"),
    ("45", "North-east (45°)"),
    ("90", "East (90°)"),
    ("135", "South-east (135°)"),
    ("180", "South (180°)"),
    ("225", "South-west (225°)"),
    ("270", "West (270°)"),
    ("315", "North-west (315°)"),
]

FIELD_OF_VIEW = [
    ("", "I don't know"),
    ("45", "Narrow, zoomed in (about 45°)"),
    ("90", "Normal (about 90°)"),
    ("120", "Wide (about 120°)"),
    ("180", "Very wide or fisheye (180°)"),
    ("360", "All around (360°)"),
]


class CleanTextField(forms.CharField):
    """Text from the public: control characters removed, surrounding space trimmed, no markup."""

    def __init__(self, *args, markup=False, **kwargs):
        self.allow_markup = markup
        super().__init__(*args, **kwargs)
        self.multiline = isinstance(self.widget, forms.Textarea)

    def to_python(self, value):
        value = strip_control(super().to_python(value))
        if not self.multiline:
            value = " ".join(value.split())  # one line: no line breaks or tabs in names, addresses or links
        return value.strip()

    def validate(self, value):
        super().validate(value)
        if value and not self.allow_markup:
            no_markup(value)


class CoordinateField(forms.FloatField):
    """A latitude or longitude, rounded to the six decimals (about 10 cm) the database keeps."""

    def __init__(self, *, limit, **kwargs):
        kwargs.setdefault("label", "Latitude" if limit == 90 else "Longitude")
        message = f"{kwargs['label']} must be a number between -{limit} and {limit}."
        kwargs["error_messages"] = {"min_value": message, "max_value": message, "invalid": message}
        super().__init__(min_value=-limit, max_value=limit, **kwargs)
        self.widget.attrs.update({"step": "any", "inputmode": "decimal"})

    def clean(self, value):
        value = super().clean(value)
        return None if value is None else round(value, 6)


class SiteForm(forms.Form):
    """The owner and the place. Every field's error is shown next to it."""

    owner_name = CleanTextField(
        label="Your name",
        max_length=120,
        help_text="The person we contact about the cameras.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    business_name = CleanTextField(
        label="Business name",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="We send a link here to confirm the registration.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = CleanTextField(
        label="Phone",
        max_length=32,
        required=False,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    address = CleanTextField(
        label="Street address of the cameras",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    latitude = CoordinateField(
        limit=90, label="Latitude", help_text="Set by the map pin, or type it: between -90 and 90."
    )
    longitude = CoordinateField(
        limit=180, label="Longitude", help_text="Set by the map pin, or type it: between -180 and 180."
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        no_markup(email)
        return email.lower()


class RegistrationForm(SiteForm):
    """The public form: the site, plus consent and a field only robots fill in."""

    consent = forms.BooleanField(
        label="I have read the terms above and agree to them.",
        error_messages={"required": "Please tick the box to agree to the terms, or we cannot register the cameras."},
    )
    # A honeypot: hidden from people (and screen readers); a robot that fills every field reveals itself.
    website = forms.CharField(required=False, label="Leave this field empty", max_length=200)

    def is_robot(self):
        return bool(self.data.get("website", "").strip())


class CameraForm(forms.Form):
    """One camera at the site."""

    camera_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    placement = CleanTextField(
        label="Where is the camera?",
        max_length=120,
        help_text="For example: front porch, above the garage door.",
    )
    bearing = forms.TypedChoiceField(
        label="Which way does it point?", choices=COMPASS, coerce=int, empty_value=None, required=False
    )
    field_of_view = forms.TypedChoiceField(
        label="How wide does it see?", choices=FIELD_OF_VIEW, coerce=int, empty_value=None, required=False
    )
    covers = forms.MultipleChoiceField(
        label="What does it show?", choices=Coverage.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    retention_days = forms.IntegerField(
        label="How many days does it keep footage?",
        validators=[MinValueValidator(0), MaxValueValidator(3650)],
        help_text="Look in the camera's app or recorder settings. Use 0 if it does not record.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 3650}),
    )
    shares_live_feed = forms.BooleanField(
        label="I am willing to share this camera's live picture with the crime center.", required=False
    )
    stream_url = CleanTextField(
        label="Live stream address",
        max_length=500,
        required=False,
        help_text="Only if sharing. Starts with rtsp://, rtsps://, http:// or https://; your installer can tell you.",
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, stored_stream_urls=None, **kwargs):
        # On the manage page stream addresses are shown with passwords hidden; an unchanged one keeps the stored value.
        self.stored_stream_urls = stored_stream_urls or {}
        super().__init__(*args, **kwargs)

    def clean_stream_url(self):
        value = self.cleaned_data.get("stream_url", "")
        if not value:
            return ""
        stored = self.stored_stream_urls.get(self.cleaned_data.get("camera_id"))
        if stored and value == redact_url(stored):
            return stored
        return validate_stream_url(value)

    def clean(self):
        data = super().clean()
        if data.get("shares_live_feed") and not data.get("stream_url") and "stream_url" not in self.errors:
            self.add_error("stream_url", "Give the stream address to share the live picture, or untick sharing.")
        return data


class BaseCameraFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["stored_stream_urls"] = getattr(self, "stored_stream_urls", {})
        return kwargs

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        if not kept:
            raise ValidationError("Register at least one camera.")


def camera_formset_class():
    return forms.formset_factory(
        CameraForm,
        formset=BaseCameraFormSet,
        extra=0,
        min_num=1,
        validate_min=True,
        max_num=settings.RTCC_REGISTRY_MAX_CAMERAS,
        validate_max=True,
        absolute_max=settings.RTCC_REGISTRY_MAX_CAMERAS,
        can_delete=True,
    )


def camera_formset(data=None, *, initial=None, stored_stream_urls=None):
    formset = camera_formset_class()(data=data, initial=initial, prefix="cameras")
    formset.stored_stream_urls = stored_stream_urls or {}
    return formset


def with_one_more_camera(data):
    """The posted data with room for one more camera (the "Add another camera" button without JavaScript)."""
    data = data.copy()
    try:
        total = int(data.get("cameras-TOTAL_FORMS", 1))
    except ValueError:
        total = 1
    data["cameras-TOTAL_FORMS"] = str(min(total + 1, settings.RTCC_REGISTRY_MAX_CAMERAS))
    return data


# --- Staff -------------------------------------------------------------------------------


class RejectForm(forms.Form):
    reason = CleanTextField(
        label="Reason (sent to the owner)",
        max_length=300,
        markup=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NearbySearchForm(forms.Form):
    """Search near an incident, or near a point at a time."""

    incident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    latitude = CoordinateField(limit=90, label="Latitude", required=False)
    longitude = CoordinateField(limit=180, label="Longitude", required=False)
    at = forms.DateTimeField(
        label="When it happened",
        required=False,
        help_text="Cameras whose footage from then should already be deleted rank last.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    radius_m = forms.IntegerField(label="Within (metres)", min_value=10, max_value=20_000, required=False, initial=300)

    def clean(self):
        data = super().clean()
        if data.get("incident") is None and (data.get("latitude") is None or data.get("longitude") is None):
            if "latitude" not in self.errors and "longitude" not in self.errors:
                raise ValidationError("Give a latitude and longitude, or start from an incident.")
        return data


class FootageRequestForm(forms.Form):
    """A time window of footage to ask the owners of the chosen cameras for."""

    cameras = forms.TypedMultipleChoiceField(
        label="Cameras to ask",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one camera."},
    )
    window_start = forms.DateTimeField(
        label="From", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    window_end = forms.DateTimeField(
        label="To", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    deadline_hours = forms.IntegerField(
        label="Owner has (hours)",
        min_value=1,
        max_value=LONGEST_DEADLINE_HOURS,
        initial=settings.RTCC_FOOTAGE_REQUEST_DEADLINE_HOURS,
    )
    message = CleanTextField(
        label="Message to the owner",
        max_length=1000,
        required=False,
        markup=True,
        help_text="What happened, in words you can share with the public. No names or plate numbers.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, camera_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cameras"].choices = camera_choices

    def clean(self):
        data = super().clean()
        start, end = data.get("window_start"), data.get("window_end")
        if start and end:
            longest = settings.RTCC_FOOTAGE_REQUEST_MAX_MINUTES
            if end <= start:
                self.add_error("window_end", "The end must be after the start.")
            elif end - start > timedelta(minutes=longest):
                self.add_error("window_end", f"A request may cover at most {longest} minutes.")
            elif start > timezone.now():
                self.add_error("window_start", "The window cannot start in the future.")
        return data


class DeclineForm(forms.Form):
    reason = CleanTextField(
        label="Reason",
        max_length=300,
        required=False,
        markup=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
