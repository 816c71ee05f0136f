from django import forms


class NoticeForm(forms.Form):
    text = forms.CharField(max_length=300, strip=True, label="Notice to all operators")
    severity = forms.ChoiceField(
        choices=[("info", "Info"), ("warning", "Warning"), ("critical", "Critical")], initial="info"
    )
