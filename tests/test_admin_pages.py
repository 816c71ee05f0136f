"""Django admin: every changelist, add and change page renders for a superuser."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import one_of_everything


@pytest.fixture
def admin_client_with_data(client, make_user):
    user = make_user("admin")
    one_of_everything(user)
    client.force_login(user)
    return client


def registered_models():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.django_db
def test_every_admin_changelist_renders_with_rows(admin_client_with_data):
    for model, _ in registered_models():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = admin_client_with_data.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        assert response.context["cl"].result_count >= 1, f"{url} lists no rows"


@pytest.mark.django_db
def test_every_admin_add_page_renders_where_adding_is_allowed(admin_client_with_data, rf):
    checked = 0
    for model, model_admin in registered_models():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        response = admin_client_with_data.get(url)
        request = rf.get(url)
        request.user = response.wsgi_request.user
        expected = 200 if model_admin.has_add_permission(request) else 403
        assert response.status_code == expected, f"{url} answered {response.status_code}"
        checked += expected == 200
    assert checked >= 12


@pytest.mark.django_db
def test_every_admin_change_page_renders_for_an_existing_row(admin_client_with_data):
    for model, _ in registered_models():
        obj = model.objects.order_by("pk").first()
        assert obj is not None, f"no {model._meta.label} row to open"
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
        assert admin_client_with_data.get(url).status_code == 200, url


@pytest.mark.django_db
def test_the_admin_search_box_works_on_every_changelist(admin_client_with_data):
    for model, model_admin in registered_models():
        if not model_admin.search_fields:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_client_with_data.get(url, {"q": "a"}).status_code == 200, url


@pytest.mark.django_db
def test_issuing_a_device_token_in_admin_shows_the_key_once_and_stores_only_its_hash(admin_client_with_data):
    from cameras.models import Camera, DeviceToken

    camera = Camera.objects.first()
    response = admin_client_with_data.post(
        reverse("admin:cameras_devicetoken_add"), {"camera": camera.pk, "label": "new unit"}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    assert any("shown once" in m for m in shown)
    key = shown[0].rsplit(": ", 1)[1]
    token = DeviceToken.objects.get(label="new unit")
    assert key not in token.key_hash and token.key_prefix == key[:8]
    assert DeviceToken.objects.for_key(key) == token
