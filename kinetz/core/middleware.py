"""Request middleware: language choice and one structured log line per request."""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from kinetz.core.languages import DEFAULT_LANGUAGE, normalise
from kinetz.core.logs import get_logger

_request_log = get_logger("kinetz.request")


class LanguageMiddleware:
    """Pick the language from `?lang=`, then the language cookie, else German.

    `?lang=` on a page also remembers the language (cookie); on a download or an API answer
    (a guide PDF in Arabic, a search in Ukrainian) it does not switch the visitor's site.

    The browser's Accept-Language is deliberately not used: a newcomer's borrowed or
    shared phone often says something else, and pages must be predictable; the
    language switcher is on every page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from_query = normalise(request.GET.get("lang"))
        language = (
            from_query
            or normalise(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
            or DEFAULT_LANGUAGE
        )
        request.LANGUAGE_CODE = language
        # override() gives the thread back the language it had before the request.
        with translation.override(language):
            response = self.get_response(request)
        is_page = response.get("Content-Type", "").startswith("text/html")
        remembered = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if from_query and is_page and remembered != from_query:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                from_query,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
            )
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        return response


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        _request_log.info(
            "request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            user=str(user.pk) if user is not None and user.is_authenticated else None,
        )
        return response
