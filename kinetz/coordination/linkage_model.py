"""The Splink model of the duplicate finder: comparisons, blocking rules, training and files.

Here live the comparisons with the human labels of their levels, the blocking rules, the Splink
settings and `linker`, the trained m and u probabilities in `linkage_models/<kind>.json` (loaded
and saved here, estimated by `train`, which `manage.py train_linkage` runs). Comparisons and
blocking rules are built from Splink's libraries only, so the SQL is generated for whichever
backend runs it: DuckDB embedded here, Spark for a state-wide data set (replace `DuckDBAPI()` in
`_db_api` by `SparkAPI(spark_session=…)`; nothing else changes).
"""

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from kinetz.coordination import linkage_records

if TYPE_CHECKING:
    from kinetz.territory.models import Region

MODEL_DIR = Path(__file__).resolve().parent / "linkage_models"

# m probability of the levels that rule a duplicate out: an offer in another town or at
# another time is another offer, however alike the rest. Naive Bayes adds up the agreements
# of fields that go together (same provider → same phone, e-mail, web site, description), so a
# learned m would be outvoted; a fixed, tiny m (about -40 bits) lets these levels veto.
VETO_M_PROBABILITY = 1e-12

# The human labels of the comparison levels, one dict so the lead can translate them.
LABELS: dict[str, Promise] = {
    "missing": _("missing"),
    "exact": _("exact"),
    "nearly the same": _("nearly the same"),
    "similar": _("similar"),
    "different": _("different"),
    "same organisation": _("same organisation"),
    "same organisation, phone and e-mail": _("same organisation, phone and e-mail"),
    "same organisation, phone or e-mail": _("same organisation, phone or e-mail"),
    "similar organisation name": _("similar organisation name, or same phone or e-mail"),
    "other organisation": _("another organisation"),
    "matches alternate name": _("matches the other's alternate name"),
    "very similar": _("very similar"),
    "same place": _("same address or within 100 m"),
    "within 500 m": _("within 500 m"),
    "same postcode": _("same postcode"),
    "within 5 km": _("within 5 km"),
    "another town": _("in another town"),
    "same": _("same"),
    "overlapping": _("overlapping"),
    "same time": _("same days and time"),
    "another time": _("other days or time"),
}

# Names of the comparisons as shown to people (the keys of linkage.PairEvidence.agreements).
COMPARISON_LABELS: dict[str, Promise] = {
    "name": _("name"),
    "provider": _("provider and contact"),
    "description": _("description"),
    "place": _("place"),
    "phone": _("phone"),
    "email": _("e-mail"),
    "web": _("website"),
    "fields": _("fields of action"),
    "languages": _("languages"),
    "schedule": _("schedule"),
}


class LinkageModelError(Exception):
    """The trained model file is missing or does not fit the comparisons in this module."""


# Comparisons ---------------------------------------------------------------------------------

Level = tuple[Any, str]  # (a Splink comparison level creator, key into LABELS)


@dataclass(frozen=True)
class Comparison:
    """One Splink comparison with the LABELS key of each of its levels (null level first)."""

    name: str
    levels: list[Level]
    veto_levels: tuple[str, ...] = ()

    def creator(self, m: list[float] | None = None, u: list[float] | None = None) -> Any:
        levels = []
        non_null = 0
        for level, key in self.levels:
            if not level.is_null_level:
                if m is not None and u is not None:
                    fixed = key in self.veto_levels
                    level = level.configure(
                        m_probability=VETO_M_PROBABILITY if fixed else m[non_null],
                        u_probability=u[non_null],
                        fix_m_probability=fixed,
                    )
                elif key in self.veto_levels:
                    level = level.configure(
                        m_probability=VETO_M_PROBABILITY, fix_m_probability=True
                    )
                non_null += 1
            levels.append(level.configure(label_for_charts=key))
        return cl.CustomComparison(levels, output_column_name=self.name)

    def label_of(self, gamma: int) -> str:
        """The LABELS key of a comparison vector value (Splink numbers the non-null levels
        from n-1 at the top down to 0 for the else level; null is -1)."""
        if gamma < 0:
            return "missing"
        non_null = [key for level, key in self.levels if not level.is_null_level]
        return non_null[len(non_null) - 1 - gamma]


def _null(*columns: str) -> Any:
    """Null level when every one of `columns` is missing on either side."""
    levels = [cll.NullLevel(column) for column in columns]
    return levels[0] if len(levels) == 1 else cll.And(*levels).configure(is_null_level=True)


def _name(column: str, alternate: str | None = None) -> Comparison:
    levels: list[Level] = [
        (cll.NullLevel(column), "missing"),
        (cll.ExactMatchLevel(column), "exact"),
    ]
    if alternate:
        # Plain SQL comparing two columns: valid in every backend Splink supports.
        swapped = cll.CustomLevel(
            f"{column}_l = {alternate}_r OR {alternate}_l = {column}_r",
            label_for_charts="matches alternate name",
        )
        levels.append((swapped, "matches alternate name"))
    levels += [
        (cll.JaroWinklerLevel(column, 0.92), "nearly the same"),
        (cll.JaroWinklerLevel(column, 0.8), "similar"),
        (cll.ElseLevel(), "different"),
    ]
    return Comparison("name", levels)


def _place(veto: bool) -> Comparison:
    """Where the record is: coordinates, street address and postcode as one comparison,
    because they say the same thing and counting them three times would overrate it."""
    near = cll.Or(
        cll.DistanceInKMLevel("latitude", "longitude", 0.1),
        cll.And(cll.ExactMatchLevel("street"), cll.ExactMatchLevel("postcode")),
    )
    levels: list[Level] = [
        (_null("latitude", "postcode"), "missing"),
        (near, "same place"),
        (cll.DistanceInKMLevel("latitude", "longitude", 0.5), "within 500 m"),
        (cll.ExactMatchLevel("postcode"), "same postcode"),
        (cll.DistanceInKMLevel("latitude", "longitude", 5), "within 5 km"),
        (cll.ElseLevel(), "another town"),
    ]
    return Comparison("place", levels, veto_levels=("another town",) if veto else ())


def _exact(name: str, column: str, label: str = "same") -> Comparison:
    return Comparison(
        name,
        [
            (cll.NullLevel(column), "missing"),
            (cll.ExactMatchLevel(column), label),
            (cll.ElseLevel(), "different"),
        ],
    )


def _provider() -> Comparison:
    """Provider and contact jointly: offers of one provider often share its phone and e-mail,
    so two separate comparisons would count the provider twice. Joint levels get their own
    m and u, and a phone or e-mail still ties an offer to a duplicate record of its provider."""
    same_org = cll.ExactMatchLevel("organization_id")
    phone, email = cll.ExactMatchLevel("phone"), cll.ExactMatchLevel("email")
    return Comparison(
        "provider",
        [
            (cll.NullLevel("organization_id"), "missing"),
            (cll.And(same_org, phone, email), "same organisation, phone and e-mail"),
            (cll.And(same_org, cll.Or(phone, email)), "same organisation, phone or e-mail"),
            (same_org, "same organisation"),
            (
                cll.Or(cll.JaroWinklerLevel("organization_name", 0.9), phone, email),
                "similar organisation name",
            ),
            (cll.ElseLevel(), "other organisation"),
        ],
    )


def service_comparisons() -> list[Comparison]:
    return [
        _name("name"),
        _provider(),
        Comparison(
            "description",
            [
                (cll.NullLevel("description"), "missing"),
                (cll.ArrayIntersectLevel("description", 10), "very similar"),
                (cll.ArrayIntersectLevel("description", 5), "similar"),
                (cll.ElseLevel(), "different"),
            ],
        ),
        _place(veto=True),
        Comparison(
            "fields",
            [
                (cll.NullLevel("fields"), "missing"),
                (cll.ExactMatchLevel("fields"), "same"),
                (cll.ArrayIntersectLevel("fields", 1), "overlapping"),
                (cll.ElseLevel(), "different"),
            ],
        ),
        Comparison(
            "languages",
            [
                (cll.NullLevel("languages"), "missing"),
                (cll.ExactMatchLevel("languages"), "same"),
                (cll.ElseLevel(), "different"),
            ],
        ),
        Comparison(
            "schedule",
            [
                (cll.NullLevel("schedule"), "missing"),
                (cll.ExactMatchLevel("schedule"), "same time"),
                (cll.ElseLevel(), "another time"),
            ],
            veto_levels=("another time",),
        ),
    ]


def organization_comparisons() -> list[Comparison]:
    return [
        _name("name", alternate="alternate_name"),
        _place(veto=False),
        _exact("phone", "phone"),
        _exact("email", "email"),
        _exact("web", "web"),
    ]


def blocking_rules(kind: str) -> list[Any]:
    """Candidate pairs: any one rule suffices. Each rule is an equality on normalised columns,
    so that a typo, a new phone format or moved coordinates still meet through another rule."""
    if kind == "services":
        return [
            block_on("name_key", "postcode"),
            block_on("name_key", "municipality"),
            block_on("name", "organization_id"),
            block_on("organization_id", "postcode"),
            block_on("phone", "postcode"),
            block_on("email"),
        ]
    return [
        block_on("name_key", "postcode"),
        block_on("name_key", "municipality"),
        block_on("phone"),
        block_on("email"),
        block_on("web"),
        block_on("name"),
    ]


COMPARISONS: dict[str, Callable[[], list[Comparison]]] = {
    "services": service_comparisons,
    "organizations": organization_comparisons,
}
RECORDS: dict[str, Callable[["Region | None"], linkage_records.Columns]] = {
    "services": linkage_records.service_records,
    "organizations": linkage_records.organization_records,
}


# The model -------------------------------------------------------------------------------


def _db_api() -> Any:
    # The one line to change for Spark: SparkAPI(spark_session=spark).
    return DuckDBAPI()


def settings(kind: str, model: dict[str, Any] | None = None) -> SettingsCreator:
    """Splink settings of `kind`; with `model` (a saved model file's content) trained."""
    comparisons = COMPARISONS[kind]()
    trained = _trained_probabilities(kind, comparisons, model) if model else {}
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[c.creator(*trained.get(c.name, (None, None))) for c in comparisons],
        blocking_rules_to_generate_predictions=blocking_rules(kind),
        probability_two_random_records_match=(
            model["probability_two_random_records_match"] if model else 1e-4
        ),
        # Splink 5 returns the gamma_ columns (the level reached, which explains a pair) only
        # together with the compared values; only pairs above the threshold are returned.
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=False,
    )


def model_path(kind: str, folder: Path | None = None) -> Path:
    return (folder or MODEL_DIR) / f"{kind}.json"


def load_model(kind: str, folder: Path | None = None) -> dict[str, Any]:
    path = model_path(kind, folder)
    try:
        model: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LinkageModelError(
            f"{path}: no trained linkage model; run `manage.py train_linkage --kind {kind}`"
        ) from None
    except json.JSONDecodeError as error:
        raise LinkageModelError(f"{path}: not valid JSON ({error})") from None
    return model


def save_model(model: dict[str, Any], kind: str, folder: Path | None = None) -> Path:
    path = model_path(kind, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _trained_probabilities(
    kind: str, comparisons: list[Comparison], model: dict[str, Any]
) -> dict[str, tuple[list[float], list[float]]]:
    """{comparison: (m, u) per non-null level} from a saved Splink model, checked against the
    comparisons built here: the file holds numbers only, the SQL always comes from the code."""
    saved = {c.get("output_column_name"): c for c in model.get("comparisons", [])}
    found = {}
    for comparison in comparisons:
        keys = [key for level, key in comparison.levels if not level.is_null_level]
        entry = saved.get(comparison.name)
        levels = [
            level
            for level in (entry or {}).get("comparison_levels", [])
            if not level.get("is_null_level")
        ]
        if [level.get("label_for_charts") for level in levels] != keys:
            raise LinkageModelError(
                f"{kind} model: comparison {comparison.name!r} does not match the code; "
                f"retrain with `manage.py train_linkage --kind {kind}`"
            )
        try:
            m = [float(level["m_probability"]) for level in levels]
            u = [float(level["u_probability"]) for level in levels]
        except (KeyError, TypeError, ValueError):
            raise LinkageModelError(
                f"{kind} model: comparison {comparison.name!r} lacks trained m/u probabilities; "
                f"retrain with `manage.py train_linkage --kind {kind}`"
            ) from None
        found[comparison.name] = (m, u)
    return found


def linker(kind: str, records: linkage_records.Columns, model: dict[str, Any] | None) -> Linker:
    db_api = _db_api()
    table = db_api.register(records)
    # log_level=None: Splink's messages go through Django's logging, not a handler of its own.
    return Linker(table, settings(kind, model), log_level=None)


# Training ---------------------------------------------------------------------------------

# Pseudo-count per level when m is estimated from labelled pairs: a level no labelled
# duplicate reached gets a small m instead of zero (which would forbid it outright).
M_PSEUDO_COUNT = 0.5

# EM needs blocked pairs with a good share of duplicates; each rule fixes the comparisons
# it blocks on, so two rules train every comparison between them.
EM_TRAINING_RULES = {
    "services": [block_on("name_key", "postcode"), block_on("organization_id", "postcode")],
    "organizations": [block_on("name_key", "postcode"), block_on("phone")],
}


def train(
    kind: str,
    *,
    region: "Region | None" = None,
    labels: Collection[tuple[str, str]] = (),
    seed: int = 42,
) -> dict[str, Any]:
    """Train the model of `kind` on the current records; returns Splink's model dict.

    u (how often levels occur between any two records) is always estimated by random
    sampling. m (how often they occur between duplicates) comes from `labels`, pairs of ids
    known to be duplicates, when given; otherwise from expectation maximisation on blocked
    pairs, which needs many duplicates in the records and with Splink 5.0 often fails (then
    LinkageModelError says so). The shipped models are trained from labels.
    """
    records = RECORDS[kind](region)
    count = len(records["unique_id"])
    if count < 2:
        raise LinkageModelError(f"{kind}: at least two records are needed to train")
    splink_linker = linker(kind, records, model=None)
    training = splink_linker.training
    training.estimate_u_using_random_sampling(max_pairs=2_000_000, seed=seed)
    known = set(records["unique_id"])
    pairs = sorted({tuple(sorted(pair)) for pair in labels if set(pair) <= known})
    if labels and not pairs:
        raise LinkageModelError(f"{kind}: none of the labelled pairs is in the database")
    if pairs:
        table = splink_linker._db_api.register(
            {
                "unique_id_l": [left for left, _ in pairs],
                "unique_id_r": [right for _, right in pairs],
            }
        )
        training.estimate_m_from_pairwise_labels(table)  # type: ignore[no-untyped-call]
        prior = len(pairs) / (count * (count - 1) / 2)
    else:
        try:
            for rule in EM_TRAINING_RULES[kind]:
                training.estimate_parameters_using_expectation_maximisation(rule)
        except ValueError as error:
            # Splink 5 refuses an m that EM drove to 0.0 (a level no estimated duplicate reached),
            # as it does on the shared catalogue; nothing is written then.
            raise LinkageModelError(
                f"{kind}: expectation maximisation gave unusable m probabilities ({error}); "
                "train from known duplicate pairs with --labels"
            ) from None
        prior = None
    model = splink_linker.misc.save_model_to_json()
    model.pop(
        "linker_uid", None
    )  # random per run; without it a retrain on the same data is identical
    if prior is not None:
        model["probability_two_random_records_match"] = prior
    _smooth(model, len(pairs))
    model["kinetz"] = {
        "kind": kind,
        "records": count,
        "labelled_pairs": len(pairs),
        "method": "labelled pairs" if pairs else "expectation maximisation",
    }
    return model


def _smooth(model: dict[str, Any], labelled: int) -> None:
    """Add M_PSEUDO_COUNT to every level's count of labelled duplicates (m estimated from
    labels), and give any level still without m or u a small value instead of none."""
    for comparison in model.get("comparisons", []):
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        if labelled:
            total = labelled + M_PSEUDO_COUNT * len(levels)
            for level in levels:
                if not level.get("fix_m_probability"):
                    seen = float(level.get("m_probability") or 0.0) * labelled
                    level["m_probability"] = (seen + M_PSEUDO_COUNT) / total
        for level in levels:
            for key in ("m_probability", "u_probability"):
                if not level.get(key):
                    level[key] = 1e-6
