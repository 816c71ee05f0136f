"""Addresses the server connects to on someone else's word (rtcc.netguard): agency webhooks here, owners'
streams in test_stream_review.py.

A webhook may not point at loopback, link-local, private ranges or this server unless
RTCC_WEBHOOK_ALLOWED_NETWORKS allows the network; it is checked when saved (admin, manage page) and again
before each send. Every failed delivery reads the same, so the delivery log cannot be used to tell the
server's open ports from its closed ones; the detail goes to the server log.
"""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from incidents import outbox, services
from incidents.models import Agency, Delivery
from rtcc.netguard import OutboundAddressRefused, check_outbound_url
from tests.conftest import free_port
from tests.factories import incident

pytestmark = pytest.mark.django_db

REFUSED = [
    "http://127.0.0.1:6379/",
    "http://127.8.9.10/",
    "http://localhost:5432/",
    "http://[::1]:8000/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://10.0.0.8/hook",
    "http://172.16.4.4/hook",
    "http://192.168.0.1/hook",
    "http://100.64.0.9/hook",
    "http://[fd00::5]/hook",
    "http://0.0.0.0:8000/",
    "http://[::ffff:127.0.0.1]/",
    "http://224.0.0.1/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_internal_addresses_are_refused(url):
    with pytest.raises(OutboundAddressRefused):
        check_outbound_url(url, allowed_networks=[])


@pytest.mark.parametrize("url", ["http://8.8.8.8/hook", "https://1.1.1.1:8443/x", "rtsp://192.0.2.10/live"])
def test_outside_addresses_pass(url):
    check_outbound_url(url, allowed_networks=[])


def test_this_machines_own_addresses_are_refused_whatever_their_range():
    own = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, type=socket.SOCK_STREAM)}
    for address in own:
        host = f"[{address}]" if ":" in address else address
        with pytest.raises(OutboundAddressRefused):
            check_outbound_url(f"http://{host}:8000/", allowed_networks=[])


def test_an_allowed_network_passes_and_nothing_else_does():
    check_outbound_url("http://10.4.0.7/hook", allowed_networks=["10.4.0.0/16"])
    with pytest.raises(OutboundAddressRefused):
        check_outbound_url("http://10.5.0.7/hook", allowed_networks=["10.4.0.0/16"])
    with pytest.raises(OutboundAddressRefused):
        check_outbound_url("http://127.0.0.1/", allowed_networks=["10.4.0.0/16"])


def test_a_name_is_checked_by_every_address_it_resolves_to(monkeypatch):
    """A name with one outside and one inside address is refused (the connection could go to either)."""

    def two_addresses(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
    with pytest.raises(OutboundAddressRefused):
        check_outbound_url("https://cad.agency.example/hook", allowed_networks=[])


def test_an_unresolvable_name_passes_when_saved_and_is_refused_when_sending():
    check_outbound_url("https://no-such-host.invalid/hook", allowed_networks=[], unresolved_ok=True)
    with pytest.raises(OutboundAddressRefused):
        check_outbound_url("https://no-such-host.invalid/hook", allowed_networks=[])


# --- Agency webhooks -----------------------------------------------------------------------------


def agency_data(agency, **overrides):
    data = {
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind,
        "contact_email": agency.contact_email,
        "webhook_url": agency.webhook_url,
        "ack_timeout_seconds": str(agency.ack_timeout_seconds),
        "active": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379/", "http://169.254.169.254/", "http://localhost:8000/x"])
def test_the_manage_page_refuses_a_webhook_inside_the_centers_network(client, users, agencies, settings, url):
    settings.RTCC_WEBHOOK_ALLOWED_NETWORKS = []
    fire = agencies["nofd"]
    client.force_login(users["supervisor"])
    response = client.post(reverse("manage:agency", args=[fire.pk]), agency_data(fire, webhook_url=url))
    assert response.status_code == 400 and "webhook_url" in response.context["form"].errors
    assert "own network" in " ".join(response.context["form"].errors["webhook_url"])
    fire.refresh_from_db()
    assert fire.webhook_url == ""


def test_the_manage_page_accepts_a_webhook_in_an_allowed_network(client, users, agencies, settings):
    settings.RTCC_WEBHOOK_ALLOWED_NETWORKS = ["10.9.0.0/16"]
    fire = agencies["nofd"]
    client.force_login(users["supervisor"])
    url = "http://10.9.1.2/rtcc"
    response = client.post(reverse("manage:agency", args=[fire.pk]), agency_data(fire, webhook_url=url))
    assert response.status_code in (200, 302)  # 200: the page showing the new signing secret once
    fire.refresh_from_db()
    assert fire.webhook_url == url


def test_the_admin_refuses_a_webhook_inside_the_centers_network(client, users, agencies, settings):
    settings.RTCC_WEBHOOK_ALLOWED_NETWORKS = []
    fire = agencies["nofd"]
    client.force_login(users["admin"])
    response = client.post(
        reverse("admin:incidents_agency_change", args=[fire.pk]),
        {**agency_data(fire, webhook_url="http://127.0.0.1:6379/"), "webhook_secret": ""},
    )
    assert response.status_code == 200 and "own network" in response.content.decode()
    fire.refresh_from_db()
    assert fire.webhook_url == ""


class _Listener:
    """Something listening on a loopback port that is not a webhook receiver (as Redis or PostgreSQL would be)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.recv(65536)
            conn.sendall(b"-ERR unknown command\r\n")
            conn.close()

    def close(self):
        self.sock.close()


def deliver_to(agency, url, users):
    Agency.objects.filter(pk=agency.pk).update(webhook_url=url, webhook_secret="s3cret")  # as if saved earlier
    agency.refresh_from_db()
    Delivery.objects.all().delete()
    services.incident_dispatch(incident=incident(), agencies=[agency], user=users["analyst"])
    outbox.deliveries_send_due()
    return Delivery.objects.get(channel="webhook")


def test_a_webhook_inside_the_centers_network_is_refused_when_sending(agencies, users, settings, caplog):
    """Saved before the rule, or its name now resolves inside: the send is refused before any connection."""
    settings.RTCC_WEBHOOK_ALLOWED_NETWORKS = []
    listener = _Listener()
    try:
        delivery = deliver_to(agencies["nofd"], f"http://127.0.0.1:{listener.port}/", users)
    finally:
        listener.close()
    assert listener.accepted == 0
    assert delivery.last_error == outbox.WEBHOOK_FAILED and delivery.status == "pending"
    assert "address refused" in caplog.text


def test_every_failed_delivery_reads_the_same_whatever_is_on_the_port(agencies, users, settings):
    """Open port (not HTTP), closed port, an HTTP error and a refused address: one text, nothing to tell them apart."""
    settings.RTCC_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.RTCC_WEBHOOK_TIMEOUT = 1

    class Failing(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(500)
            self.end_headers()

        def log_message(self, *args):
            pass

    http = ThreadingHTTPServer(("127.0.0.1", free_port()), Failing)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    listener = _Listener()
    try:
        errors = {
            "open, not http": deliver_to(agencies["nofd"], f"http://127.0.0.1:{listener.port}/", users).last_error,
            "closed": deliver_to(agencies["nofd"], f"http://127.0.0.1:{free_port()}/", users).last_error,
            "http 500": deliver_to(agencies["nofd"], f"http://127.0.0.1:{http.server_port}/", users).last_error,
        }
        settings.RTCC_WEBHOOK_ALLOWED_NETWORKS = []
        errors["refused"] = deliver_to(agencies["nofd"], f"http://127.0.0.1:{listener.port}/", users).last_error
    finally:
        listener.close()
        http.shutdown()
        http.server_close()
    assert set(errors.values()) == {outbox.WEBHOOK_FAILED}, errors
