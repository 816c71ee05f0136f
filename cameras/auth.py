"""API authentication for external devices (plate cameras) by per-device token."""

from rtcc.keys import KeyAuthentication

from .models import DeviceToken


class DeviceTokenAuthentication(KeyAuthentication):
    """`Authorization: Device <key>`. The request's `auth` is the DeviceToken; there is no user."""

    keyword = "Device"
    model = DeviceToken
    refused = "Unknown or revoked device key."
