from django.apps import AppConfig


class FinderConfig(AppConfig):
    """The public multilingual finder: search index, search, public offer pages."""

    name = "kinetz.finder"
    label = "finder"

    def ready(self) -> None:
        from kinetz.finder import signals

        signals.connect()
