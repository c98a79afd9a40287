from django.urls import path

from registry.choices import ImportKind
from registry.views import browse, departments, exports, filings, imports, metrics, spreadsheets

urlpatterns = [
    # Browsing: dashboard, departments, media accounts, matrix
    path("", browse.home, name="home"),
    path("departments/", browse.department_list, name="department_list"),
    path("departments/<int:pk>/", browse.department_detail, name="department_detail"),
    path("departments/<int:pk>/move/", departments.department_move, name="department_move"),
    path("media-accounts/", browse.media_account_list, name="media_account_list"),
    path("media-accounts/<int:pk>/", browse.media_account_detail, name="media_account_detail"),
    path("matrix/", browse.matrix, name="matrix"),
    path("matrix/units/<int:unit>/", browse.matrix, name="matrix_unit"),
    # Filing and approval
    path("filings/", filings.filing_list, name="filing_list"),
    path("filings/open/", filings.filing_open, name="filing_open"),
    path("filings/queue/", filings.filing_queue, name="filing_queue"),
    path("filings/<int:pk>/", filings.filing_detail, name="filing_detail"),
    path("filings/<int:pk>/approve/", filings.filing_approve, name="filing_approve"),
    path("filings/<int:pk>/reject/", filings.filing_reject, name="filing_reject"),
    path("filings/<int:pk>/withdraw/", filings.filing_withdraw, name="filing_withdraw"),
    path("media-accounts/<int:pk>/change/", filings.filing_change, name="filing_change"),
    path("media-accounts/<int:pk>/close/", filings.filing_close, name="filing_close"),
    path(
        "media-accounts/<int:pk>/reconfirm/", filings.media_account_reconfirm, name="media_account_reconfirm"
    ),
    path("media-accounts/reconfirm/", filings.media_accounts_reconfirm, name="media_accounts_reconfirm"),
    # Spreadsheets
    path(
        "media-accounts/export.xlsx",
        spreadsheets.media_accounts_export,
        {"fmt": "xlsx"},
        name="media_accounts_export_xlsx",
    ),
    path(
        "media-accounts/export.csv",
        spreadsheets.media_accounts_export,
        {"fmt": "csv"},
        name="media_accounts_export_csv",
    ),
    path("exports/<int:pk>/", exports.export_job_detail, name="export_job_detail"),
    path("exports/<int:pk>/status/", exports.export_job_status, name="export_job_status"),
    path("exports/<int:pk>/file.xlsx", exports.export_job_download, name="export_job_download"),
    path(
        "media-accounts/import/",
        imports.import_upload,
        {"kind": ImportKind.MEDIA_ACCOUNTS},
        name="media_accounts_import",
    ),
    path(
        "media-accounts/import/confirm/",
        imports.import_confirm,
        {"kind": ImportKind.MEDIA_ACCOUNTS},
        name="media_accounts_import_confirm",
    ),
    path(
        "media-accounts/import/template.xlsx",
        spreadsheets.media_accounts_import_template,
        name="media_accounts_import_template",
    ),
    # Daily figures (运营数据)
    path("media-accounts/<int:pk>/metrics/", metrics.metric_entry, name="metric_entry"),
    path("metrics/import/", imports.import_upload, {"kind": ImportKind.METRICS}, name="metrics_import"),
    path("imports/<int:pk>/", imports.import_job_detail, name="import_job_detail"),
    path("imports/<int:pk>/status/", imports.import_job_status, name="import_job_status"),
    path(
        "metrics/import/confirm/",
        imports.import_confirm,
        {"kind": ImportKind.METRICS},
        name="metrics_import_confirm",
    ),
    path("metrics/import/template.xlsx", metrics.metrics_import_template, name="metrics_import_template"),
    # Public verification
]
