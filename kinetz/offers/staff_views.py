"""Staff pages of the catalogue: vocabularies, translations of offers, spreadsheet export."""

import tempfile
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kinetz.accounts.access import check_access, requires
from kinetz.accounts.models import User
from kinetz.accounts.roles import Capability
from kinetz.core.audit import log_action
from kinetz.core.languages import direction
from kinetz.interop import spreadsheets
from kinetz.offers import machine_translation, taxonomy, translating
from kinetz.offers.models import (
    TRANSLATABLE_SERVICE_FIELDS,
    ReviewState,
    Service,
    ServiceTranslation,
    TaxonomyTerm,
)
from kinetz.offers.staff_forms import MergeForm, TermForm, TranslationForm
from kinetz.territory.models import Municipality

# --- vocabularies ----------------------------------------------------------------------------


def _can(user: User, capability: Capability) -> bool:
    return bool(user.is_superuser or user.can(capability))


@requires(Capability.REVIEW_OFFERS)
def taxonomy_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    context = {
        "listings": taxonomy.listings(),
        "can_edit": _can(user, Capability.MANAGE_TAXONOMY),
    }
    return render(request, "offers/staff/taxonomy_list.html", context)


def _editable_term(term_id: Any) -> TaxonomyTerm:
    return get_object_or_404(taxonomy.editable_terms().select_related("taxonomy"), pk=term_id)


@requires(Capability.MANAGE_TAXONOMY)
def term_add(request: HttpRequest, taxonomy_id: Any) -> HttpResponse:
    vocabulary = get_object_or_404(taxonomy.vocabulary_taxonomies(), pk=taxonomy_id)
    form = TermForm(request.POST or None, vocabulary=vocabulary)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            term = taxonomy.add_term(
                request.user,
                vocabulary,
                data["code"],
                data["name"],
                data["description"],
                data["parent"],
            )
        except taxonomy.TaxonomyError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("The term “%(name)s” was added.") % {"name": term.name})
            return redirect("catalogue_staff:taxonomy")
    context = {"form": form, "vocabulary": vocabulary, "term": None}
    return render(request, "offers/staff/term_edit.html", context)


@requires(Capability.MANAGE_TAXONOMY)
def term_edit(request: HttpRequest, term_id: Any) -> HttpResponse:
    term = _editable_term(term_id)
    if term.taxonomy is None:  # editable terms belong to a vocabulary; for mypy
        raise Http404
    form = TermForm(request.POST or None, vocabulary=term.taxonomy, term=term)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            taxonomy.update_term(
                request.user, term, data["name"], data["description"], data["parent"]
            )
        except taxonomy.TaxonomyError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("The term “%(name)s” was saved.") % {"name": term.name})
            return redirect("catalogue_staff:taxonomy")
    context = {"form": form, "vocabulary": term.taxonomy, "term": term}
    return render(request, "offers/staff/term_edit.html", context)


def _render_remove(
    request: HttpRequest,
    term: TaxonomyTerm,
    merge_form: MergeForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "term": term,
        "offer_count": taxonomy.offer_count(term),
        "children": term.children.order_by("name"),
        "merge_form": merge_form or MergeForm(term=term),
        "error": error,
    }
    return render(request, "offers/staff/term_remove.html", context, status=status)


@requires(Capability.MANAGE_TAXONOMY)
@require_GET
def term_remove(request: HttpRequest, term_id: Any) -> HttpResponse:
    return _render_remove(request, _editable_term(term_id))


@requires(Capability.MANAGE_TAXONOMY)
@require_POST
def term_delete(request: HttpRequest, term_id: Any) -> HttpResponse:
    term = _editable_term(term_id)
    try:
        taxonomy.delete_term(request.user, term)
    except taxonomy.TaxonomyError as error:
        return _render_remove(request, term, error=error.message, status=409)
    messages.success(request, _("The term “%(name)s” was deleted.") % {"name": term.name})
    return redirect("catalogue_staff:taxonomy")


@requires(Capability.MANAGE_TAXONOMY)
@require_POST
def term_merge(request: HttpRequest, term_id: Any) -> HttpResponse:
    term = _editable_term(term_id)
    form = MergeForm(request.POST, term=term)
    if form.is_valid():
        target = form.cleaned_data["target"]
        try:
            moved = taxonomy.merge_term(request.user, term, target)
        except taxonomy.TaxonomyError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                _("“%(source)s” was merged into “%(target)s”; offers moved: %(count)d.")
                % {"source": term.name, "target": target.name, "count": moved},
            )
            return redirect("catalogue_staff:taxonomy")
    return _render_remove(request, term, merge_form=form, status=400)


# --- translations ----------------------------------------------------------------------------


def _translatable_services(request: HttpRequest) -> QuerySet[Service]:
    """The offers the user may translate: their region's for reviewers (coordinators,
    region admins), their own organisation's for provider editors; else PermissionDenied."""
    try:
        user = check_access(request, Capability.REVIEW_OFFERS)
    except PermissionDenied:
        user = check_access(request, Capability.EDIT_OWN_ORGANIZATION)
        if user.organization_id is None:
            raise
        return cast(
            QuerySet[Service],
            Service.objects.for_user(user).filter(organization_id=user.organization_id),
        )
    return cast(QuerySet[Service], Service.objects.for_user(user))


def _service_for_translator(request: HttpRequest, service_id: Any) -> Service:
    services = _translatable_services(request).select_related("organization")
    services = services.prefetch_related("translations")
    return get_object_or_404(services, pk=service_id)


@login_required
def translation_list(request: HttpRequest) -> HttpResponse:
    services = _translatable_services(request).exclude(review_state=ReviewState.ARCHIVED)
    search = request.GET.get("q", "").strip()[:200]
    if search:
        services = services.filter(name__icontains=search)
    services = (
        services.select_related("organization")
        .prefetch_related(Prefetch("translations", ServiceTranslation.objects.all()))
        .order_by("name", "id")
    )
    page = Paginator(services, 50).get_page(request.GET.get("page"))
    rows = [(service, translating.summary(service)) for service in page]
    context = {"page": page, "rows": rows, "search": search, "query": urlencode({"q": search})}
    return render(request, "offers/staff/translation_list.html", context)


@login_required
def translation_overview(request: HttpRequest, service_id: Any) -> HttpResponse:
    service = _service_for_translator(request, service_id)
    languages = dict(translating.language_names())
    matrix = [
        (code, languages[code], list(fields.values()))
        for code, fields in translating.overview(service).items()
    ]
    context = {
        "service": service,
        "matrix": matrix,
        "field_labels": [translating.field_label(f) for f in TRANSLATABLE_SERVICE_FIELDS],
    }
    return render(request, "offers/staff/translation_overview.html", context)


@login_required
def translation_edit(request: HttpRequest, service_id: Any, language: str) -> HttpResponse:
    service = _service_for_translator(request, service_id)
    languages = dict(translating.language_names())
    if language not in languages:
        raise Http404
    if request.method == "POST" and "machine_translate" in request.POST:
        return _machine_translate(request, service, language)
    fields = translating.translation_status(service, language)
    form = TranslationForm(request.POST or None, language=language, fields=fields)
    if request.method == "POST" and form.is_valid():
        try:
            changed = translating.apply_human_translation(
                service, language, form.entered(), request.user
            )
        except translating.TranslationError as error:
            form.add_error(f"text_{error.field}" if error.field in fields else None, error.message)
        else:
            if changed:
                messages.success(request, _("The translation was saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("catalogue_staff:translations", service_id=service.pk)
    context = {
        "service": service,
        "form": form,
        "language": language,
        "language_name": languages[language],
        "direction": direction(language),
        "machine_translation": machine_translation.is_enabled(),
    }
    return render(request, "offers/staff/translation_edit.html", context)


def _machine_translate(request: HttpRequest, service: Service, language: str) -> HttpResponse:
    """Fill the missing and outdated fields with a machine translation, marked as such."""
    try:
        fields = machine_translation.create_machine_translation(service, language, request.user)
    except machine_translation.MachineTranslationError as error:
        messages.error(request, str(error))
    else:
        if fields:
            messages.success(
                request,
                _("A machine translation was saved for %(count)d fields. Please check it.")
                % {"count": len(fields)},
            )
        else:
            messages.info(request, _("There was nothing left to translate."))
    return redirect("catalogue_staff:translation_edit", service_id=service.pk, language=language)


# --- export ----------------------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "xlsx")


def _export_query(request: HttpRequest) -> tuple[QuerySet[Service], spreadsheets.ExportFilters]:
    municipalities = Municipality.objects.for_user(request.user)
    filters = spreadsheets.read_filters(request.GET, municipalities)
    services = spreadsheets.filter_services(Service.objects.for_user(request.user), filters)
    return services, filters


@requires(Capability.EXPORT_CATALOGUE)
def export_page(request: HttpRequest) -> HttpResponse:
    services, filters = _export_query(request)
    query = request.GET.copy()
    query.pop("format", None)
    context = {
        "filters": filters,
        "count": services.count(),
        "review_states": ReviewState.choices,
        "municipalities": Municipality.objects.for_user(request.user).order_by("name"),
        "fields_of_action": taxonomy.fields_of_action(),
        "query": query.urlencode(),
    }
    return render(request, "offers/staff/export.html", context)


@requires(Capability.EXPORT_CATALOGUE)
@require_GET
def export_download(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    export_format = request.GET.get("format", "")
    if export_format not in EXPORT_FORMATS:
        raise Http404
    services, filters = _export_query(request)
    log_action(
        user,
        "catalogue.exported",
        None,
        format=export_format,
        filters=filters.as_dict(),
        offers=services.count(),
    )
    slug = user.region.slug if user.region else ""
    name = spreadsheets.file_name(slug, export_format, timezone.localdate())
    records = spreadsheets.rows(services)
    response: HttpResponseBase
    if export_format == "csv":
        response = StreamingHttpResponse(
            spreadsheets.in_language(spreadsheets.csv_stream(records), get_language()),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = content_disposition_header(True, name) or ""
    else:
        # openpyxl writes the whole archive at the end; a temporary file keeps memory flat.
        target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        spreadsheets.write_xlsx(records, target)
        target.seek(0)
        response = FileResponse(
            target,
            as_attachment=True,
            filename=name,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Cache-Control"] = "no-store"
    # Streaming and file responses are not HttpResponse subclasses, which `requires` expects.
    return cast(HttpResponse, response)
