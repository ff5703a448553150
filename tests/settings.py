"""Test settings: the production settings module with fast hashing and in-process tasks."""

from kinetz.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# No search index in tests unless a test builds one in its tmp dir (tests/finder): offers that
# other tests save then skip the index update.
KINETZ_SEARCH_INDEX_DIR = BASE_DIR / "test-artifacts" / "no-search-index"  # noqa: F405
