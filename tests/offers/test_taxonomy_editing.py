"""The region admin edits the vocabularies; coordinators read them; editors see nothing."""

from collections.abc import Callable

import pytest
from django.test import Client

from kinetz.accounts.models import User
from kinetz.core.models import AuditEntry
from kinetz.offers import taxonomy
from kinetz.offers.models import ServiceAttribute, Taxonomy, TaxonomyTerm
from kinetz.territory.models import Region
from tests.factories import ServiceFactory, TaxonomyFactory, TaxonomyTermFactory

PAGE = "/staff/catalogue/vocabularies/"


@pytest.fixture
def fields(db: None) -> Taxonomy:
    return TaxonomyFactory(vocabulary="handlungsfeld", name="Handlungsfeld")


@pytest.fixture
def groups(db: None) -> Taxonomy:
    return TaxonomyFactory(vocabulary="zielgruppe", name="Zielgruppe")


@pytest.fixture
def language(fields: Taxonomy) -> TaxonomyTerm:
    return TaxonomyTermFactory(taxonomy=fields, code="hf-sprache", name="Sprache")


def tag(service: object, term: TaxonomyTerm) -> ServiceAttribute:
    assert term.taxonomy is not None
    return ServiceAttribute.objects.create(
        service=service, taxonomy_term=term, link_type=term.taxonomy.vocabulary
    )


def api_term(client: Client, term_id: object) -> dict[str, object] | None:
    contents = client.get("/api/v1/taxonomy_terms", {"per_page": 1000}).json()["contents"]
    return next((t for t in contents if t["id"] == str(term_id)), None)


def test_page_lists_both_vocabularies_with_usage(
    client_for: Callable[[User], Client],
    region_admin: User,
    region: Region,
    language: TaxonomyTerm,
    groups: Taxonomy,
) -> None:
    TaxonomyTermFactory(taxonomy=groups, code="zg-eltern", name="Eltern")
    child = TaxonomyTermFactory(
        taxonomy=language.taxonomy, code="hf-sprache-kurse", name="Kurse", parent=language
    )
    for service in ServiceFactory.create_batch(2, organization__region=region):
        tag(service, language)
    tag(ServiceFactory(organization__region=region), child)

    response = client_for(region_admin).get(PAGE)

    assert response.status_code == 200
    listings = {listing.taxonomy.vocabulary: listing for listing in response.context["listings"]}
    assert list(listings) == ["handlungsfeld", "zielgruppe"]
    terms = {t.code: t for t in listings["handlungsfeld"].terms}
    assert terms["hf-sprache"].offer_count == 2
    assert terms["hf-sprache-kurse"].offer_count == 1
    assert [t.code for t in listings["handlungsfeld"].terms] == ["hf-sprache", "hf-sprache-kurse"]
    content = response.content.decode()
    assert "Eltern" in content
    assert "shared by all regions" in content
    assert f"/vocabularies/terms/{language.pk}/" in content


def test_coordinator_reads_but_cannot_edit(
    client_for: Callable[[User], Client], coordinator: User, language: TaxonomyTerm
) -> None:
    client = client_for(coordinator)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "Sprache" in response.content.decode()
    assert f"/vocabularies/terms/{language.pk}/" not in response.content.decode()
    assert client.get(f"{PAGE}terms/{language.pk}/").status_code == 403
    assert client.post(f"{PAGE}terms/{language.pk}/", {"name": "X"}).status_code == 403
    assert client.post(f"{PAGE}terms/{language.pk}/delete/").status_code == 403
    language.refresh_from_db()
    assert language.name == "Sprache"


@pytest.mark.parametrize("role_fixture", ["provider_editor", "counsellor", "council_viewer"])
def test_other_roles_see_no_vocabulary_pages(
    client_for: Callable[[User], Client],
    request: pytest.FixtureRequest,
    role_fixture: str,
    language: TaxonomyTerm,
) -> None:
    client = client_for(request.getfixturevalue(role_fixture))
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}terms/{language.pk}/delete/").status_code == 403
    assert TaxonomyTerm.objects.filter(pk=language.pk).exists()


def test_anonymous_visitor_is_sent_to_sign_in(client: Client, language: TaxonomyTerm) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_admin_adds_a_term_that_appears_in_the_api(
    client_for: Callable[[User], Client],
    region_admin: User,
    fields: Taxonomy,
    language: TaxonomyTerm,
) -> None:
    client = client_for(region_admin)
    response = client.post(
        f"{PAGE}{fields.pk}/new/",
        {
            "code": "hf-sprache-kita",
            "name": "Sprachförderung in der Kita",
            "description": "Alltagsintegrierte Sprachbildung.",
            "parent": str(language.pk),
        },
    )

    assert response.status_code == 302
    term = TaxonomyTerm.objects.get(code="hf-sprache-kita")
    assert term.taxonomy == fields
    assert term.parent == language
    entry = AuditEntry.objects.get(action="taxonomy_term.added")
    assert entry.actor == region_admin
    assert entry.target_id == str(term.pk)
    published = api_term(client, term.pk)
    assert published is not None
    assert published["name"] == "Sprachförderung in der Kita"
    assert published["parent_id"] == str(language.pk)
    assert published["taxonomy_id"] == str(fields.pk)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("hf-sprache", "already used"),
        ("HF-Sprache", "already used"),
        ("hf sprache!", "lower-case letters"),
        ("-hf", "lower-case letters"),
    ],
)
def test_codes_are_validated_and_unique_within_a_vocabulary(
    client_for: Callable[[User], Client],
    region_admin: User,
    fields: Taxonomy,
    language: TaxonomyTerm,
    code: str,
    message: str,
) -> None:
    response = client_for(region_admin).post(
        f"{PAGE}{fields.pk}/new/", {"code": code, "name": "Doppelt"}
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["code"])
    assert TaxonomyTerm.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_the_same_code_may_exist_in_the_other_vocabulary(
    region_admin: User, language: TaxonomyTerm, groups: Taxonomy
) -> None:
    term = taxonomy.add_term(region_admin, groups, "hf-sprache", "Sprachlernende")
    assert term.taxonomy == groups


def test_admin_renames_and_moves_a_term(
    client_for: Callable[[User], Client], region_admin: User, language: TaxonomyTerm
) -> None:
    other = TaxonomyTermFactory(taxonomy=language.taxonomy, code="hf-bildung", name="Bildung")
    client = client_for(region_admin)

    response = client.post(
        f"{PAGE}terms/{language.pk}/",
        {"name": "Sprache & Deutsch lernen", "description": "Kurse", "parent": str(other.pk)},
    )

    assert response.status_code == 302
    language.refresh_from_db()
    assert (language.name, language.description, language.parent) == (
        "Sprache & Deutsch lernen",
        "Kurse",
        other,
    )
    assert language.code == "hf-sprache"
    entry = AuditEntry.objects.get(action="taxonomy_term.changed")
    assert entry.data["old_name"] == "Sprache"
    assert sorted(entry.data["fields"]) == ["description", "name", "parent"]
    published = api_term(client, language.pk)
    assert published is not None
    assert published["name"] == "Sprache & Deutsch lernen"


def test_a_term_cannot_be_placed_under_its_own_sub_term(
    client_for: Callable[[User], Client], region_admin: User, language: TaxonomyTerm
) -> None:
    child = TaxonomyTermFactory(taxonomy=language.taxonomy, parent=language)

    response = client_for(region_admin).post(
        f"{PAGE}terms/{language.pk}/", {"name": "Sprache", "parent": str(child.pk)}
    )

    assert response.status_code == 200
    assert "sub-terms" in " ".join(response.context["form"].errors["parent"])
    language.refresh_from_db()
    assert language.parent is None


def test_parent_must_come_from_the_same_vocabulary(
    region_admin: User, language: TaxonomyTerm, groups: Taxonomy
) -> None:
    parents = TaxonomyTermFactory(taxonomy=groups, code="zg-eltern")
    with pytest.raises(taxonomy.TaxonomyError) as raised:
        taxonomy.update_term(region_admin, language, "Sprache", "", parents)
    assert raised.value.field == "parent"


def test_unused_term_is_deleted_and_leaves_the_api(
    client_for: Callable[[User], Client], region_admin: User, language: TaxonomyTerm
) -> None:
    child = TaxonomyTermFactory(taxonomy=language.taxonomy, parent=language)
    client = client_for(region_admin)
    assert client.get(f"{PAGE}terms/{language.pk}/remove/").status_code == 200

    response = client.post(f"{PAGE}terms/{language.pk}/delete/")

    assert response.status_code == 302
    assert not TaxonomyTerm.objects.filter(pk=language.pk).exists()
    child.refresh_from_db()
    assert child.parent is None
    assert AuditEntry.objects.filter(
        action="taxonomy_term.deleted", target_id=str(language.pk)
    ).exists()
    assert api_term(client, language.pk) is None


def test_term_in_use_is_not_deleted_and_the_error_names_the_count(
    client_for: Callable[[User], Client],
    region_admin: User,
    region: Region,
    other_region: Region,
    language: TaxonomyTerm,
) -> None:
    tag(ServiceFactory(organization__region=region), language)
    tag(ServiceFactory(organization__region=region), language)
    tag(ServiceFactory(organization__region=other_region), language)

    response = client_for(region_admin).post(f"{PAGE}terms/{language.pk}/delete/")

    assert response.status_code == 409
    content = response.content.decode()
    assert "cannot be deleted: 3 offers use it" in content
    assert "Merge into another term" in content
    assert TaxonomyTerm.objects.filter(pk=language.pk).exists()
    assert ServiceAttribute.objects.filter(taxonomy_term=language).count() == 3
    assert not AuditEntry.objects.filter(action="taxonomy_term.deleted").exists()


def test_merge_moves_every_offer_to_the_other_term_at_once(
    client_for: Callable[[User], Client],
    region_admin: User,
    region: Region,
    language: TaxonomyTerm,
) -> None:
    target = TaxonomyTermFactory(taxonomy=language.taxonomy, code="hf-deutsch", name="Deutsch")
    sub = TaxonomyTermFactory(taxonomy=language.taxonomy, parent=language)
    only_source = ServiceFactory(organization__region=region)
    both = ServiceFactory(organization__region=region)
    tag(only_source, language)
    tag(both, language)
    tag(both, target)
    client = client_for(region_admin)

    response = client.post(f"{PAGE}terms/{language.pk}/merge/", {"target": str(target.pk)})

    assert response.status_code == 302
    assert not TaxonomyTerm.objects.filter(pk=language.pk).exists()
    assert set(
        ServiceAttribute.objects.filter(taxonomy_term=target).values_list("service", flat=True)
    ) == {only_source.pk, both.pk}
    assert ServiceAttribute.objects.filter(service=both).count() == 1
    sub.refresh_from_db()
    assert sub.parent == target
    only_source.refresh_from_db()
    assert only_source.last_modified is not None
    entry = AuditEntry.objects.get(action="taxonomy_term.merged")
    assert entry.data["merged_code"] == "hf-sprache"
    assert entry.data["offers"] == 2
    services = client.get("/api/v1/services", {"taxonomy_term_id": str(target.pk)}).json()
    assert services["total_items"] == 2


def test_merge_into_another_vocabulary_is_refused(
    client_for: Callable[[User], Client],
    region_admin: User,
    region: Region,
    language: TaxonomyTerm,
    groups: Taxonomy,
) -> None:
    tag(ServiceFactory(organization__region=region), language)
    parents = TaxonomyTermFactory(taxonomy=groups, code="zg-eltern")

    response = client_for(region_admin).post(
        f"{PAGE}terms/{language.pk}/merge/", {"target": str(parents.pk)}
    )

    assert response.status_code == 400
    assert response.context["merge_form"].errors["target"]
    assert ServiceAttribute.objects.get().taxonomy_term == language


def test_merge_is_all_or_nothing(
    region_admin: User, region: Region, language: TaxonomyTerm, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = TaxonomyTermFactory(taxonomy=language.taxonomy)
    tag(ServiceFactory(organization__region=region), language)

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(taxonomy, "log_action", fail)
    with pytest.raises(RuntimeError):
        taxonomy.merge_term(region_admin, language, target)

    assert ServiceAttribute.objects.get().taxonomy_term == language
    assert TaxonomyTerm.objects.filter(pk=language.pk).exists()


def test_terms_of_other_taxonomies_are_not_editable(
    client_for: Callable[[User], Client], region_admin: User
) -> None:
    foreign = TaxonomyTermFactory(
        taxonomy=TaxonomyFactory(vocabulary="", name="ICNPO"), code="icnpo-1"
    )
    client = client_for(region_admin)
    assert client.get(f"{PAGE}terms/{foreign.pk}/").status_code == 404
    assert client.post(f"{PAGE}terms/{foreign.pk}/delete/").status_code == 404


def test_merge_moves_working_groups_to_the_other_term(
    region_admin: User, region: Region, language: TaxonomyTerm
) -> None:
    from kinetz.network.models import WorkingGroup

    target = TaxonomyTermFactory(taxonomy=language.taxonomy)
    only_source = WorkingGroup.objects.create(region=region, name="AK Sprache")
    only_source.fields_of_action.add(language)
    both = WorkingGroup.objects.create(region=region, name="AK Bildung")
    both.fields_of_action.add(language, target)

    taxonomy.merge_term(region_admin, language, target)

    assert list(only_source.fields_of_action.all()) == [target]
    assert list(both.fields_of_action.all()) == [target]


def test_merge_into_a_sub_term_leaves_no_parent_loop(
    region_admin: User, language: TaxonomyTerm
) -> None:
    courses = TaxonomyTermFactory(taxonomy=language.taxonomy, parent=language)
    evening = TaxonomyTermFactory(taxonomy=language.taxonomy, parent=courses)

    taxonomy.merge_term(region_admin, language, evening)

    evening.refresh_from_db()
    courses.refresh_from_db()
    assert evening.parent is None
    assert courses.parent == evening
