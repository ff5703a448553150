"""The UI languages of kinetz and their writing direction, listed in one place."""

from django.conf import settings

RTL_LANGUAGES = frozenset({"ar", "fa"})
DEFAULT_LANGUAGE = "de"


def supported_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def normalise(code: str | None) -> str | None:
    """Return a supported language code for `code` (e.g. 'AR', 'uk-UA'), or None."""
    if not code:
        return None
    code = code.strip().lower().replace("_", "-")
    codes = supported_codes()
    if code in codes:
        return code
    base = code.split("-")[0]
    return base if base in codes else None


def direction(code: str) -> str:
    return "rtl" if code in RTL_LANGUAGES else "ltr"
