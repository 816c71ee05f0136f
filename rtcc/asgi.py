"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rtcc.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from registry.uploads import UploadLimitMiddleware  # noqa: E402

from .routing import websocket_urlpatterns  # noqa: E402
from .two_factor_middleware import SecondFactorWebsocketMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Owners' footage uploads are capped while they stream in, before Django spools the body.
        "http": UploadLimitMiddleware(django_asgi_app),
        # A session that has not passed the second factor connects as nobody (refused by the consumer).
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(SecondFactorWebsocketMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
