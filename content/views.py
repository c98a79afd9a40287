"""The posts' and lexicons' pages: a post and its hits, a post added by hand, the lexicons and the
allowed sites. Everyone signed in reads the lexicons; the office edits them (docs/design.md §4.9)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.rules import allowed, authorize
from config.downloads import download, xlsx_response
from config.forms import add_service_errors
from content import selectors, services
from content.choices import Lexicon
from content.filters import LexiconEntryFilter
from content.forms import AllowedDomainForm, LexiconEntryForm, LexiconImportForm, PostForm
from content.models import AllowedDomain, LexiconEntry
from content.posts import check_post_rows
from content.spreadsheets import lexicon_xlsx, post_template_xlsx, read_lexicon_sheet
from registry.models import MediaAccount
from registry.spreadsheets import SpreadsheetRejected

PAGE_SIZE = 50


# Posts -----------------------------------------------------------------------------------------


@login_required
def post_detail(request, pk: int):
    """A post, its figures and what the wording scan found in it."""
    return render(request, "content/post_detail.html", {"detail": selectors.post_detail(request.user, pk)})


@login_required
def post_list(request, pk: int):
    """An account's posts, newest first, with their figures and open hits."""
    account = get_object_or_404(MediaAccount.objects.restrict(request.user, "view"), pk=pk)
    page = Paginator(selectors.account_posts(account), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "content/post_list.html", {"account": account, "page": page})


@login_required
def post_create(request, pk: int):
    """A unit adds one of its account's posts by hand; it is checked for wording like any other."""
    account = get_object_or_404(
        MediaAccount.objects.select_related("department").restrict(request.user, "view"), pk=pk
    )
    authorize(request.user, "content.enter_account_posts", account)
    form = PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        checked = check_post_rows(request.user, [(0, form.row(account))])
        if checked.errors:
            for error in checked.errors:
                form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            services.posts_record(actor=request.user, rows=checked)
            messages.success(
                request,
                _("Post added to %(account)s; its wording is checked in a moment.")
                % {"account": account.name},
            )
            return redirect("post_list", pk=account.pk)
    return render(request, "content/post_form.html", {"account": account, "form": form})


@login_required
@download
def posts_import_template(request):
    """The posts sheet to fill in, with its instructions and the user's accounts."""
    authorize(request.user, "content.enter_posts")
    name = _("Posts template")  # outside the f-string, where makemessages finds it
    accounts = MediaAccount.objects.restrict(request.user, "change")
    return xlsx_response(post_template_xlsx(accounts), f"{name}.xlsx")


# Lexicons --------------------------------------------------------------------------------------


@login_required
def lexicon_list(request):
    filterset = LexiconEntryFilter(
        request.GET or None, queryset=LexiconEntry.objects.order_by("lexicon", "term")
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = {
        row["lexicon"]: row
        for row in LexiconEntry.objects.order_by()
        .values("lexicon")
        .annotate(total=Count("pk"), enabled=Count("pk", filter=Q(enabled=True)))
    }
    lexicons = [
        (value, label, counts.get(value, {"total": 0, "enabled": 0})) for value, label in Lexicon.choices
    ]
    may_edit = allowed(request.user, "content.edit_lexicons")
    return render(
        request,
        "content/lexicon_list.html",
        {
            "inspection_tab": "lexicons",
            "filterset": filterset,
            "page": page,
            "lexicons": lexicons,
            "current_lexicon": request.GET.get("lexicon", ""),
            "may_edit": may_edit,
            "domains": AllowedDomain.objects.all(),
            "domain_form": AllowedDomainForm() if may_edit else None,
            "import_form": LexiconImportForm() if may_edit else None,
        },
    )


def _entry_page(request, form, entry=None, status=200):
    return render(
        request,
        "content/lexicon_entry_form.html",
        {"inspection_tab": "lexicons", "form": form, "entry": entry},
        status=status,
    )


@login_required
def lexicon_entry_create(request):
    authorize(request.user, "content.edit_lexicons")
    form = LexiconEntryForm(
        request.POST or None, initial={"lexicon": request.GET.get("lexicon") or Lexicon.SENSITIVE}
    )
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.lexicon_entry_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Entry “%(term)s” added; recent posts are checked for it.") % {"term": entry.term}
            )
            return redirect(f"{_lexicons_url()}?lexicon={entry.lexicon}")
    return _entry_page(request, form)


@login_required
def lexicon_entry_update(request, pk: int):
    authorize(request.user, "content.edit_lexicons")
    entry = get_object_or_404(LexiconEntry, pk=pk)
    form = LexiconEntryForm(request.POST or None, instance=LexiconEntry.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.lexicon_entry_update(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Entry “%(term)s” saved.") % {"term": entry.term})
            return redirect(f"{_lexicons_url()}?lexicon={entry.lexicon}")
    return _entry_page(request, form, entry)


@require_POST
@login_required
def lexicon_entry_delete(request, pk: int):
    authorize(request.user, "content.edit_lexicons")
    entry = get_object_or_404(LexiconEntry, pk=pk)
    services.lexicon_entry_delete(actor=request.user, entry=entry)
    messages.success(
        request, _("Entry “%(term)s” deleted; what it found is resolved.") % {"term": entry.term}
    )
    return redirect(f"{_lexicons_url()}?lexicon={entry.lexicon}")


def _lexicons_url() -> str:
    return reverse("lexicon_list")


@login_required
def lexicon_import(request):
    """Entries added or changed from a sheet, all or none."""
    authorize(request.user, "content.edit_lexicons")
    form = LexiconImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            sheet = read_lexicon_sheet(form.cleaned_data["file"].read(), extension=form.extension)
        except SpreadsheetRejected as error:
            form.add_error("file", str(error.message))
        else:
            if sheet.errors:
                errors = sheet.errors
            else:
                imported = services.lexicon_import(actor=request.user, entries=sheet.entries)
                messages.success(
                    request,
                    _("%(created)s entries added and %(updated)s changed; recent posts are checked again.")
                    % {"created": imported.created, "updated": imported.updated},
                )
                return redirect("lexicon_list")
    return render(
        request,
        "content/lexicon_import.html",
        {"inspection_tab": "lexicons", "form": form, "errors": errors},
        status=400 if errors or form.errors else 200,
    )


@login_required
@download
def lexicon_export(request):
    """Every entry as a sheet, which is also the sheet the import reads."""
    name = _("Lexicons")
    return xlsx_response(lexicon_xlsx(LexiconEntry.objects.order_by("lexicon", "term")), f"{name}.xlsx")


@require_POST
@login_required
def allowed_domain_add(request):
    authorize(request.user, "content.edit_lexicons")
    form = AllowedDomainForm(request.POST)
    if form.is_valid():
        try:
            domain = services.allowed_domain_add(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Links to %(domain)s are allowed.") % {"domain": domain.domain})
    else:
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    return redirect(f"{_lexicons_url()}#allowed-domains")


@require_POST
@login_required
def allowed_domain_remove(request, pk: int):
    authorize(request.user, "content.edit_lexicons")
    domain = get_object_or_404(AllowedDomain, pk=pk)
    services.allowed_domain_remove(actor=request.user, allowed=domain)
    messages.success(request, _("Links to %(domain)s are flagged again.") % {"domain": domain.domain})
    return redirect(f"{_lexicons_url()}#allowed-domains")
