"""Many writers at once on a throwaway database of the configured engine: how many writes a second,
and the longest any one took (docs/benchmarks.md).

Half the writers approve change filings, half decide applications to close an account in the
review meeting (the decision, its closure order and the account's status: three events and a
notice to the unit); each works on accounts of its own, so what one waits for another is the
trail and the machine alone.
"""

import datetime
import statistics
import threading
import time
from collections.abc import Callable

from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from accounts import services as user_services
from accounts.choices import Role
from audits.campaigns import services as campaigns
from audits.campaigns.choices import Outcome, Proposal
from audits.campaigns.models import SelfInspection
from audits.trail import context
from audits.trail.selectors import verify_chain
from registry import services
from registry.choices import DepartmentKind, Platform
from tooling.benchmark.data import throwaway_database
from tooling.benchmark.scenarios import production_like

NO_HAVES = {"has_need": False, "has_capacity": False, "has_support": False}


def _writes(writers: int, writes: int) -> list[list]:
    """For each writer, ``writes`` calls to time, each on an account of its own."""
    office = user_services.user_create(
        actor=None, username="office", password="benchmark", role=Role.OFFICE_ADMIN, validate=False
    )
    unit = services.department_create(
        actor=None, name="基准单位", code="unit", kind=DepartmentKind.DISTRICT_DEPARTMENT
    )
    admin = user_services.user_create(
        actor=None,
        username="unit",
        password="benchmark",
        role=Role.DEPT_ADMIN,
        department=unit,
        validate=False,
    )

    def account(writer: int, number: int):
        filing = services.filing_submit_open(
            actor=None,
            department=unit,
            name=f"基准账号{writer}-{number}",
            platform=Platform.WECHAT_OFFICIAL,
            platform_uid=f"uid-{writer}-{number}",
            reason="工作需要",
            duplicate_reason="业务不同，需分设",
        )
        return services.filing_approve(actor=office, filing=filing).media_account

    deciding = {writer: [account(writer, n) for n in range(writes)] for writer in range(1, writers, 2)}
    today = timezone.localdate()
    campaign = campaigns.campaign_create(
        actor=office,
        name="基准清理整顿",
        self_inspection_due=today + datetime.timedelta(days=14),
        closure_due=today + datetime.timedelta(days=45),
    )
    campaigns.campaign_start(actor=office, campaign=campaign)
    meeting = campaigns.meeting_create(
        actor=office, campaign=campaign, held_on=today, attendees="宣传部、网信办"
    )
    calls = []
    for writer in range(writers):
        if writer in deciding:
            queue = []
            for media_account in deciding[writer]:
                inspection = SelfInspection.objects.get(campaign=campaign, media_account=media_account)
                campaigns.self_inspection_save(
                    actor=admin, self_inspection=inspection, proposal=Proposal.CLOSE, **NO_HAVES
                )
                campaigns.self_inspection_submit(actor=admin, self_inspection=inspection)
                queue.append(
                    lambda inspection=inspection: campaigns.decision_make(
                        actor=office, self_inspection=inspection, meeting=meeting, outcome=Outcome.CLOSE
                    )
                )
        else:
            queue = []
            for number in range(writes):
                filing = services.filing_submit_change(
                    actor=None,
                    media_account=account(writer, number),
                    changes={"name": f"改名账号{writer}-{number}"},
                )
                queue.append(lambda filing=filing: services.filing_approve(actor=office, filing=filing))
        calls.append(queue)
    return calls


def benchmark(writers: int, writes: int, *, write: Callable[[str], None]) -> None:
    """Time ``writers`` threads making ``writes`` writes each at once, and check the trail after."""
    with production_like(), throwaway_database() as name:
        write(f"Benchmark database: {name} ({connection.vendor})")
        with context.bound(context.RequestContext(request_id=context.new_request_id())):
            calls = _writes(writers, writes)
        took: list[float] = []
        errors: list[BaseException] = []
        barrier = threading.Barrier(writers + 1)

        def work(queue):
            try:
                barrier.wait()
                for call in queue:
                    started = time.perf_counter()
                    call()
                    took.append(time.perf_counter() - started)
            except BaseException as error:  # noqa: BLE001  (reported below)
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=(queue,)) for queue in calls]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        checked, broken = verify_chain(anchors=[])
    if errors:
        raise CommandError(f"{len(errors)} writes failed, the first with: {errors[0]!r}")
    if broken is not None:
        raise CommandError(f"The trail does not verify at event {broken.event_id}: {broken.reason}")
    write(
        f"{writers} writers × {writes} writes (filing approvals and closing decisions): "
        f"{len(took) / elapsed:.0f} writes/s; a write took {statistics.median(took) * 1000:.0f} ms "
        f"(median), {statistics.quantiles(took, n=100, method='inclusive')[98] * 1000:.0f} ms "
        f"(99th percentile), {max(took) * 1000:.0f} ms at the longest; "
        f"the trail's {checked} events verify"
    )
