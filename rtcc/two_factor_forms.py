"""Forms of the second-factor pages: a code from the app, or a recovery code."""

from django import forms

APP_CODE_ATTRS = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "pattern": r"[0-9 ]{6,7}",
    "maxlength": "7",
    "spellcheck": "false",
}


class AppCodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code from your authenticator app",
        max_length=7,
        strip=True,
        help_text="Open the app and type the code it shows for RTCC now.",
        widget=forms.TextInput(attrs=APP_CODE_ATTRS),
        error_messages={"required": "Enter the 6-digit code from your app."},
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError("The code is 6 digits, like 123456.")
        return code


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(
        label="Recovery code",
        max_length=20,
        strip=True,
        help_text="One of the 10 codes you saved when you set up the app. Each works once.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
        error_messages={"required": "Enter one of your recovery codes."},
    )
