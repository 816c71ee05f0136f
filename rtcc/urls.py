"""URL map of the whole site."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import two_factor_views, views
from .forms import ThrottledAuthenticationForm

admin.site.site_header = f"RTCC administration – {settings.RTCC_CITY_NAME}"
admin.site.site_title = "RTCC admin"

LOGIN = auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=ThrottledAuthenticationForm)

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        login_not_required(
            auth_views.LoginView.as_view(
                redirect_authenticated_user=True, authentication_form=ThrottledAuthenticationForm
            )
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", two_factor_views.verify, name="two-factor-verify"),
    path("two-factor/enrol/", two_factor_views.enrol, name="two-factor-enrol"),
    path("two-factor/reset/<int:user_id>/", two_factor_views.reset, name="two-factor-reset"),
    path("login/password/", include("rtcc.manage.password_urls")),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notices/", views.post_notice, name="post-notice"),
    path("audit/", views.audit_log, name="audit"),
    path("manage/", include("rtcc.manage.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("cameras/", include("cameras.urls")),
    path("footage/", include("footage.urls")),
    path("plates/", include("plates.urls")),
    path("incidents/", include("incidents.urls")),
    path("registry/", include("registry.urls")),
    path("register/", include("registry.public_urls")),
    path("maps/", include("maps.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("rtcc.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
