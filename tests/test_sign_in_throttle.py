"""Password guessing is slowed: a name (or an address) that failed too often must wait, on every sign-in path."""

import base64

import pytest
from django.urls import reverse

from cameras.streams import redact_url
from tests.conftest import PASSWORD


@pytest.fixture
def few_tries(settings):
    settings.RTCC_LOGIN_MAX_FAILURES = 3
    return settings


def login(client, username, password, addr="198.51.100.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=addr)


@pytest.mark.django_db
def test_a_name_that_failed_too_often_is_refused_even_with_the_right_password(client, users, few_tries):
    name = users["analyst"].username
    for _ in range(3):
        assert login(client, name, "wrong").status_code == 200
    response = login(client, name, PASSWORD)
    assert response.status_code == 200 and "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_successful_sign_in_clears_the_names_failures(client, users, few_tries):
    name = users["analyst"].username
    for _ in range(2):
        login(client, name, "wrong")
    assert login(client, name, PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        login(client, name, "wrong")
    assert login(client, name, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_one_address_guessing_many_names_is_stopped_while_another_address_signs_in(client, users, few_tries):
    for n in range(9):  # three times the per-name limit, spread over names
        login(client, f"guess{n}", "wrong", addr="203.0.113.66")
    response = login(client, users["supervisor"].username, PASSWORD, addr="203.0.113.66")
    assert "Too many failed sign-ins" in response.content.decode()
    assert login(client, users["supervisor"].username, PASSWORD, addr="192.0.2.10").status_code == 302


@pytest.mark.django_db
def test_the_cap_feeds_basic_auth_is_throttled_too(client, users, agencies, few_tries):
    name = users["responder"].username
    url = reverse("incidents:agency-feed", args=[agencies["nofd"].short_name])

    def basic(password):
        token = base64.b64encode(f"{name}:{password}".encode()).decode()
        return client.get(url, HTTP_AUTHORIZATION=f"Basic {token}", REMOTE_ADDR="198.51.100.9").status_code

    assert basic(PASSWORD) == 200
    for _ in range(3):
        assert basic("wrong") == 401
    assert basic(PASSWORD) == 401


def test_credentials_in_a_stream_urls_query_are_hidden_like_those_before_the_host():
    assert redact_url("rtsp://admin:hunter2@10.0.0.5:554/live") == "rtsp://***@10.0.0.5:554/live"
    shown = redact_url("http://cam.local/video.cgi?user=admin&pwd=hunter2&res=hd")
    assert "hunter2" not in shown and "admin" not in shown and "res=hd" in shown
    assert redact_url("rtsp://10.0.0.5/live?channel=1") == "rtsp://10.0.0.5/live?channel=1"
