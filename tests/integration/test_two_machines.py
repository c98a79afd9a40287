"""The site served by two machines (docs/operations.md, "Past one machine"): each has its own gunicorn,
its own Celery worker and its own disk; they share PostgreSQL, Redis and an S3-compatible bucket.

What one machine's web process or worker started, the other finishes: a session, an upload read by
whichever worker took it and confirmed on the other machine, a screenshot uploaded on one and served
by the other, an export built by a worker into the bucket and downloaded from the other machine, a
lockout counted across both, a run requested on one. Nothing may depend on the disk
of the machine a request happened to reach.
"""

import base64
import io
import time

import boto3
import openpyxl
import pytest

from tests.production import BUCKET, PASSWORD

pytestmark = pytest.mark.integration

LOCKED = "登录失败次数过多"
# A 1×1 PNG: what a unit's screenshot of a closure notice is, to the form's check.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
REGISTER = (
    "序号,单位代码,主办单位,账号名称,平台,平台账号ID,网址,认证,功能定位\n"
    "1,m-edu,m-edu,双机教育微博,微博,m-edu-weibo,https://weibo.com/medu,是,信息发布\n"
    "2,m-edu,m-edu,双机教育抖音,抖音,m-edu-douyin,,是,信息发布\n"
)


def _wait_for(check, *, timeout: float = 60, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def _post_form(machine, client, path: str, data: dict | None = None, files: dict | None = None):
    return client.post(
        f"{machine.url}{path}",
        data={"csrfmiddlewaretoken": client.cookies["csrftoken"], **(data or {})},
        files=files,
        headers={"Referer": machine.url + path},
        allow_redirects=False,
        timeout=25,
    )


def _on(machine, client):
    """``client``'s cookies, sent to ``machine``: the same person, whichever machine answers."""
    other = machine.client()
    other.cookies.update(client.cookies)
    return other


def test_both_workers_take_work_from_the_same_queues(two_machines):
    answered = two_machines.a.python("from config.celery import app\nprint(app.control.ping(timeout=2))\n")
    assert all(f"worker-{machine.url.rsplit(':', 1)[1]}@" in answered for machine in two_machines)


def test_an_upload_stored_on_one_machine_is_read_by_a_worker_and_confirmed_on_the_other(two_machines):
    a, b = two_machines
    a.create_user("office-m")
    a.create_user("unit-m", role="dept_admin", department="m-edu")  # the unit the sheet files for
    on_a = a.sign_in("office-m")
    on_b = _on(b, on_a)
    assert on_b.get(f"{b.url}/media-accounts/", allow_redirects=False).status_code == 200  # one session

    uploaded = _post_form(
        a, on_a, "/media-accounts/import/", files={"file": ("台账.csv", REGISTER.encode("utf-8-sig"))}
    )
    assert uploaded.status_code == 302, uploaded.text[:500]
    job = uploaded.headers["Location"]
    status = _wait_for(
        lambda: (
            (found := on_b.get(f"{b.url}{job}status/", timeout=10).json())
            and not found["under_way"]
            and found
        ),
        what="a worker reading the upload",
    )
    assert status["status"] == "done", status
    assert "双机教育微博" in on_b.get(f"{b.url}{job}", timeout=10).text  # the check page, on B
    confirmed = _post_form(b, on_b, "/media-accounts/import/confirm/", {"job": job.strip("/").split("/")[-1]})
    assert confirmed.status_code == 302, confirmed.text[:500]
    listed = on_a.get(f"{a.url}/api/v1/media-accounts/", params={"q": "双机教育"}, timeout=10)
    assert sorted(row["name"] for row in listed.json()["results"]) == ["双机教育微博", "双机教育抖音"]


def test_a_screenshot_uploaded_on_one_machine_is_served_by_the_other_from_the_bucket(two_machines):
    a, b = two_machines
    a.create_user("office-e")
    a.create_user("unit-e", role="dept_admin", department="m-health")
    order = a.python(
        "from accounts.models import User\n"
        "from tests.campaigns import campaign, ordered\n"
        "from tests.conftest import account_filer\n"
        "office, unit = User.objects.get(username='office-e'), User.objects.get(username='unit-e')\n"
        "account = account_filer(office)(unit.department, name='双机健康号', platform_uid='m-health-1')\n"
        "print(ordered(office, unit, campaign(office), account).pk)\n"
    ).strip()
    unit = a.sign_in("unit-e")
    done = _post_form(
        a,
        unit,
        f"/closure-orders/{order}/confirm/",
        {"note": "已注销"},
        {"evidence_file": ("notice.png", PNG)},
    )
    assert done.status_code == 302, done.text[:500]

    office = b.sign_in("office-e")
    served = office.get(f"{b.url}/closure-orders/{order}/evidence/", timeout=10)
    assert served.status_code == 200 and served.content == PNG
    s3 = boto3.client(
        "s3",
        endpoint_url=a.env["S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="machines",
        aws_secret_access_key="machines-secret",
    )
    stored = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert any(key.startswith("closure-evidence/") for key in stored)
    assert not list((a.folder / "var").glob("**/closure-evidence/**/*.png"))  # nothing on A's own disk


def test_an_export_built_by_a_worker_is_downloaded_from_the_other_machine(two_machines):
    a, b = two_machines
    a.create_user("office-x")
    a.create_user("unit-x", role="dept_admin", department="m-export")
    a.python(
        "from accounts.models import User\n"
        "from tests.conftest import account_filer\n"
        "office, unit = User.objects.get(username='office-x'), User.objects.get(username='unit-x')\n"
        "for n, name in enumerate(('双机导出一号', '双机导出二号', '双机导出三号')):\n"
        "    account_filer(office)(unit.department, name=name, platform_uid=f'm-export-{n}')\n"
    )
    on_a = a.sign_in("office-x")
    asked = on_a.get(f"{a.url}/media-accounts/export.xlsx", params={"q": "双机导出"}, allow_redirects=False)
    assert asked.status_code == 302, asked.status_code  # too long to build in the request: a job
    job = asked.headers["Location"]
    on_b = _on(b, on_a)

    def built():
        found = on_b.get(f"{b.url}{job}status/", timeout=10).json()
        return not found["under_way"] and found

    assert _wait_for(built, what="a worker building the export")["status"] == "done"
    download = on_b.get(f"{b.url}{job}file.xlsx", timeout=10)
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(download.content), read_only=True).active
    names = sorted(row[3] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == ["双机导出一号", "双机导出三号", "双机导出二号"]


def test_a_lockout_counts_the_wrong_passwords_sent_to_either_machine(two_machines):
    a, b = two_machines
    a.create_user("office-l")
    on_a, on_b = a.client("127.0.0.41"), b.client("127.0.0.41")  # one person at one desk
    for machine, client in ((a, on_a), (b, on_b), (a, on_a), (b, on_b), (a, on_a)):
        client.get(f"{machine.url}/accounts/login/")
        assert (
            _post_form(
                machine, client, "/accounts/login/", {"username": "office-l", "password": "guess"}
            ).status_code
            == 200
        )
    on_b.headers["Accept-Language"] = "zh-hans"
    refused = _post_form(b, on_b, "/accounts/login/", {"username": "office-l", "password": PASSWORD})
    assert refused.status_code == 200 and LOCKED in refused.text


def test_a_run_requested_on_one_machine_finishes_on_a_worker_and_shows_on_the_other(two_machines):
    a, b = two_machines
    a.create_user("office-r")
    token = (
        b.client()
        .post(f"{b.url}/api/v1/auth/token/", data={"username": "office-r", "password": PASSWORD}, timeout=10)
        .json()["token"]
    )
    headers = {"Authorization": f"Token {token}"}
    run = b.client().post(f"{b.url}/api/v1/inspection-runs/", headers=headers, json={}, timeout=10)
    assert run.status_code in (201, 202), run.text
    url = f"{a.url}/api/v1/inspection-runs/{run.json()['id']}/"
    finished = _wait_for(
        lambda: (
            (found := a.client().get(url, headers=headers, timeout=10).json())["status"] == "finished"
            and found
        ),
        what="a worker finishing the run",
    )
    assert finished["finished_at"]
