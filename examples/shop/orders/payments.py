"""Client for the payment provider's REST API, plus a few helpers.

Only the background worker imports this module (it needs `requests` and
`httpx`, which the web app doesn't install), so keep it out of views.py.
"""
import json
import urllib.request
from urllib.request import Request, urlopen

import httpx
import requests
import requests as r  # legacy alias, still used by the refund code
from requests import get

API_BASE = "https://api.payments.example.com/v1"
STATUS_URL = "https://status.payments.example.com/api/v2/status.json"
RATES_URL = "https://rates.example.com/latest"


class PaymentClient:
    """Tiny wrapper around the provider's charges API."""

    def __init__(self, api_key, base_url=API_BASE, timeout=5):
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _url(self, path):
        return f"{self.base_url}/{path.lstrip('/')}"

    def _headers(self):
        return {"Authorization": f"Bearer {self.api_key}"}

    def get_json(self, path, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("headers", self._headers())
        resp = requests.get(self._url(path), **kwargs)  # ok: timeout passed through **kwargs
        resp.raise_for_status()
        return resp.json()

    def get_charge(self, charge_id):
        resp = requests.get(self._url(f"charges/{charge_id}"), headers=self._headers())  # ORM301
        resp.raise_for_status()
        return resp.json()

    def list_charges(self, **filters):
        resp = requests.get(self._url("charges"), params=filters, timeout=5)  # ok: explicit timeout
        resp.raise_for_status()
        return resp.json()["data"]

    def create_charge(self, order_id, amount, currency="EUR"):
        data = {
            "amount": str(amount),
            "currency": currency,
            "metadata": {"order_id": order_id},
        }
        resp = requests.post(  # ORM301
            self._url("charges"),
            json=data,
            headers=self._headers(),
        )
        resp.raise_for_status()
        return resp.json()

    def capture_charge(self, charge_id):
        resp = requests.post(  # ok: timeout passed as a keyword below
            self._url(f"charges/{charge_id}/capture"),
            headers=self._headers(),
            timeout=self.timeout,
        )
        resp.raise_for_status()
        return resp.json()

    def refund(self, charge_id, amount=None):
        body = {"amount": str(amount)} if amount is not None else {}
        resp = r.put(self._url(f"charges/{charge_id}/refund"), json=body, headers=self._headers())  # ORM301
        resp.raise_for_status()
        payload = resp.json()
        return payload.get("status", "unknown")  # ok: dict.get, not requests.get


def charge_id_is_valid(value):
    # Charge ids look like "ch_<account>_<random>".
    return value.startswith("ch_") and value.count("_") == 2  # ok: str.count


def provider_is_up():
    resp = requests.get(STATUS_URL)  # ORM301
    return resp.json()["status"]["indicator"] == "none"


def provider_is_up_fast():
    return httpx.get(STATUS_URL, timeout=None).status_code == 200  # ORM302


def provider_is_up_httpx():
    return httpx.get(STATUS_URL, timeout=10).status_code == 200  # ok: explicit timeout


def exchange_rate(currency, base="EUR"):
    resp = get(RATES_URL, params={"base": base})  # ORM301
    rates = resp.json()["rates"]
    return rates.get(currency)  # ok: dict.get, even though `get` is imported from requests


def sync_payouts(api_key, since):
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {api_key}"})
    resp = session.get(  # ORM301
        f"{API_BASE}/payouts",
        # the API pages by cursor; the first page is enough for a daily sync
        params={"since": since, "limit": 100},
    )
    resp.raise_for_status()
    return resp.json()["data"]


def ack_webhook_events(event_ids):
    with requests.Session() as s:
        for event_id in event_ids:
            s.post(f"{API_BASE}/events/{event_id}/ack")  # ORM301


def fetch_event(event_id):
    with requests.Session() as s:
        resp = s.get(f"{API_BASE}/events/{event_id}", timeout=5)  # ok: explicit timeout
        return resp.json()


def download_statement(url, dest):
    # Statements can be huge, so never time out. (Famous last words.)
    resp = requests.get(url, timeout=None)  # ORM302
    with open(dest, "wb") as fh:
        fh.write(resp.content)


def fetch_public_keys():
    with urllib.request.urlopen(f"{API_BASE}/keys") as resp:  # ORM303
        return json.load(resp)


def fetch_public_keys_v2():
    with urlopen(f"{API_BASE}/v2/keys", timeout=5) as resp:  # ok: explicit timeout
        return json.load(resp)


def post_legacy_ipn(url, payload):
    """The old instant-payment-notification endpoint only speaks urllib."""
    req = Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urlopen(req) as resp:  # ORM303
        return resp.status
