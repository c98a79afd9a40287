"""A first registration by spreadsheet in a real browser: the template downloaded and sent back
unchanged registers nothing; filled in, with operators, it registers the accounts and their people."""

import openpyxl
import pytest

from registry import imports
from registry.models import ImportJob, MediaAccount
from registry.tasks import read_import_job
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queued(monkeypatch):
    """Uploads sent to Celery, kept here: the test plays the worker, whenever it likes."""
    sent = []
    monkeypatch.setattr(read_import_job, "delay", sent.append)
    return sent


def _read_by_the_worker(page, queued):
    """The worker reads the upload; the page, asking every 2 s, follows it to its check by itself."""
    assert page.get_by_test_id("rows-read").inner_text() == "0"
    imports.import_job_read(job_id=queued.pop())
    page.get_by_test_id("rows-read").wait_for(state="detached")


def test_it_imports_nothing_from_the_template_as_downloaded_and_the_operators_of_a_filled_one(
    page, sign_in, queued, office_admin, department_a, tmp_path
):
    sign_in("office", PASSWORD)
    page.goto("/media-accounts/import/")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载导入模板（.xlsx）").click()
    assert download.value.suggested_filename == "政务新媒体账号导入模板.xlsx"
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)

    # Sent back as it came: the example is on the instructions sheet, so nothing is registered.
    page.get_by_label("表格文件").set_input_files(template)
    page.get_by_role("button", name="上传并检查").click()
    _read_by_the_worker(page, queued)
    assert "文件中没有要导入的账号" in page.locator("main").inner_text()
    assert not MediaAccount.objects.exists()

    workbook = openpyxl.load_workbook(template)
    assert workbook.sheetnames == ["备案登记表", "填写说明", "单位代码表"]
    form = workbook["备案登记表"]
    headers = [cell.value for cell in form[1]]
    filled = {"单位代码": "edu", "账号名称": "教育发布", "平台": "微信公众号", "平台账号ID": "gh_edu"}
    filled |= {"运维人员1姓名": "李明", "运维人员1电话": "13912345678", "运维人员1用工性质": "在编人员"}
    form.append([filled.get(header, "") for header in headers])
    workbook.save(template)
    page.get_by_label("表格文件").set_input_files(template)
    page.get_by_role("button", name="上传并检查").click()
    _read_by_the_worker(page, queued)
    page.get_by_role("button", name="确认导入 1 个账号").click()
    assert "已导入 1 个账号。" in page.locator(".messages").inner_text()
    assert ImportJob.objects.filter(imported_at__isnull=False).count() == 1

    page.get_by_role("link", name="教育发布").click()
    operators = page.locator("section", has=page.get_by_role("heading", name="运维人员"))
    assert operators.locator("thead").inner_text().split() == ["姓名", "用工性质", "电话"]
    assert operators.locator("tbody").inner_text().split() == ["李明", "在编人员", "13912345678"]
