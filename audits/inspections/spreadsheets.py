"""An inspection run's report as an .xlsx workbook: the same tables as the report page.

``config.xlsx`` writes them, every text as plain text.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from audits.inspections.selectors import GroupRow, RunReport
from config.xlsx import Sheet, write_xlsx


def _group_rows(rows: list[GroupRow]) -> list[list]:
    return [
        [
            row.label,
            row.findings,
            row.veto,
            row.serious,
            row.warning,
            row.info,
            row.accounts,
            row.red_accounts,
            row.wording,
        ]
        for row in rows
    ]


def _group_headers(first: str) -> list[str]:
    return [
        first,
        _("Findings"),
        _("Veto"),
        _("Serious"),
        _("Warning"),
        _("Info"),
        _("Accounts with findings"),
        _("Red accounts"),
        _("Wording hits"),
    ]


def run_report_xlsx(report: RunReport) -> bytes:
    """Four sheets: by rule (the run's figures on top), by department, by platform, red accounts."""
    run = report.run
    finished = timezone.localtime(run.finished_at).strftime("%Y-%m-%d %H:%M") if run.finished_at else ""
    heading = [
        _("Inspection report of %(day)s") % {"day": run.inspection_date.isoformat()},
        _("Accounts inspected: %(accounts)s; findings: %(findings)s; new: %(new)s; resolved: %(resolved)s")
        % {
            "accounts": run.accounts,
            "findings": report.findings,
            "new": report.opened,
            "resolved": report.resolved,
        },
        _("Finished at %(time)s") % {"time": finished},
    ]
    return write_xlsx(
        Sheet(
            _("By rule"),
            [_("Rule"), _("Severity"), _("Findings"), _("Newly found"), _("Still open"), _("Resolved")],
            [
                [row.label, row.severity_label, row.open, row.opened, row.carried_over, row.resolved]
                for row in report.by_rule
            ],
            [30, 10, 10, 10, 10, 10],
            heading=heading,
        ),
        Sheet(
            _("By department"),
            _group_headers(_("Department")),
            _group_rows(report.by_department),
            [28, 10, 8, 8, 8, 8, 14, 12, 10],
        ),
        Sheet(
            _("By platform"),
            _group_headers(_("Platform")),
            _group_rows(report.by_platform),
            [20, 10, 8, 8, 8, 8, 14, 12, 10],
        ),
        Sheet(
            _("Red accounts"),
            [_("Department"), _("Account"), _("Platform"), _("Filing number"), _("Problems")],
            [
                [
                    entry.media_account.department.name,
                    entry.media_account.name,
                    str(entry.media_account.get_platform_display()),
                    entry.media_account.filing_number or "",
                    "；".join(
                        f"{finding.rule.get_code_display()}（{finding.get_severity_display()}）"
                        for finding in entry.findings
                    ),
                ]
                for entry in report.red_accounts
            ],
            [28, 28, 14, 18, 50],
        ),
    )
