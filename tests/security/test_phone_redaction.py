"""Operators' phone numbers reach only the office and the unit's own administrators, on every
channel, by one rule (``accounts.permissions.can_see_operator_phones``).

The attack: an auditor, whom the account's page shows no phones, read them through the API's
account and filing, through the trail's recorded changes (page, API, exports) and in the register's
exports. Each channel is read here as the auditor, another unit's administrator, the unit's own
administrator and the office.
"""

import io
import zipfile

import pytest

from registry import services

pytestmark = pytest.mark.django_db

PHONE, NEW_PHONE = "13912345678", "13987654321"

CHANNELS = {
    "account page": "/media-accounts/{account}/",
    "filing page": "/filings/{filing}/",
    "account API": "/api/v1/media-accounts/{account}/",
    "account list API": "/api/v1/media-accounts/",
    "filing API": "/api/v1/filings/{filing}/",
    "register CSV": "/media-accounts/export.csv",
    "register xlsx": "/media-accounts/export.xlsx",
    "register CSV in the API": "/api/v1/media-accounts/?format=csv",
    "register xlsx in the API": "/api/v1/media-accounts/?format=xlsx",
    "trail page": "/trail/",
    "trail API": "/api/v1/events/",
    "trail CSV": "/trail/export.csv",
    "trail xlsx": "/trail/export.xlsx",
    "account's history": "/media-accounts/{account}/",
}


@pytest.fixture
def account_and_filing(department_a, admin_a, file_account):
    """An account with an operator's phone, and a change filing proposing another."""
    account = file_account(department_a, operators=[{"name": "李明", "phone": PHONE, "employment": "staff"}])
    filing = services.filing_submit_change(
        actor=admin_a,
        media_account=account,
        changes={"operators": [{"name": "王芳", "phone": NEW_PHONE, "employment": "staff"}]},
    )
    return account, filing


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK"):  # a workbook: its sheets' XML
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            return "".join(workbook.read(name).decode() for name in workbook.namelist())
    return content.decode("utf-8-sig")


def _read_everything(client, account, filing) -> dict[str, str]:
    texts = {}
    for channel, url in CHANNELS.items():
        response = client.get(url.format(account=account.pk, filing=filing.pk))
        assert response.status_code in (200, 404), f"{channel}: {response.status_code}"
        texts[channel] = _text(response) if response.status_code == 200 else ""
    return texts


@pytest.mark.parametrize("persona", ["auditor", "admin_b", "admin_gov"])
def test_it_keeps_phones_from_those_outside_the_unit(persona, personas, client_for, account_and_filing):
    account, filing = account_and_filing
    texts = _read_everything(client_for(personas[persona]), account, filing)
    leaks = [channel for channel, text in texts.items() if PHONE in text or NEW_PHONE in text]
    assert not leaks, f"{persona} reads operators' phones in {leaks}"
    if persona == "auditor":  # who sees the accounts, only not the phones
        assert all("李明" in texts[channel] for channel in ("account API", "register CSV", "trail API"))


@pytest.mark.parametrize("persona", ["office", "admin_a"])
def test_it_shows_phones_to_the_office_and_the_units_own_administrators(
    persona, personas, client_for, account_and_filing
):
    account, filing = account_and_filing
    texts = _read_everything(client_for(personas[persona]), account, filing)
    for channel, text in texts.items():
        assert PHONE in text or NEW_PHONE in text, f"{persona} misses the phones in {channel}"
