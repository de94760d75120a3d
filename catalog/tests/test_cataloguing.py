"""The cataloguing screens: finding, describing and holding records and copies, as staff use
them. Assertions on wording use the English interface (the language cookie), so translating
the Indonesian catalogue does not break them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Contributor, Item, Record, Subject
from catalog.records import ParsedContributor, ParsedRecord
from catalog.services import add_items, create_record
from core.models import Branch
from core.tests.test_views import signed_in

pytestmark = pytest.mark.django_db

LASKAR_ISBN = "979-3062-79-7"  # ISBN-10; 9789793062792 as ISBN-13
BAD_ISBN = "978-602-03-3295-5"  # check digit should be 6


def english(user):
    client = signed_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def cataloguer(make_user, library):
    return make_user("katalog", roles={"cataloguer"})


@pytest.fixture
def librarian(make_user, library):
    return make_user("siti", roles={"librarian"})


@pytest.fixture
def member(make_user, library):
    return make_user("ani", roles={"member"})


@pytest.fixture
def laskar(cataloguer):
    return create_record(
        ParsedRecord(
            title="Laskar pelangi",
            contributors=[ParsedContributor("Hirata, Andrea", "author", "1967-")],
            subjects=["Belitung Island (Indonesia) -- Fiction"],
            isbns=[LASKAR_ISBN],
            year=2005,
            ddc="899.221 3",
            call_number="899.221 3 HIR l",
        ),
        by=cataloguer,
    )


def record_data(**extra) -> dict:
    """A filled-in record form as the browser posts it: three contributor rows."""
    data = {
        "title": "Bumi manusia",
        "subtitle": "",
        "responsibility": "Pramoedya Ananta Toer",
        "edition": "",
        "publisher": "Hasta Mitra",
        "place": "Jakarta",
        "year": "1980",
        "isbns": "",
        "issn": "",
        "language": "ind",
        "ddc": "899.221 3",
        "call_number": "",
        "material_type": "book",
        "audience": "adults",
        "subjects": "",
        "contributors-TOTAL_FORMS": "3",
        "contributors-INITIAL_FORMS": "0",
        "contributors-MIN_NUM_FORMS": "0",
        "contributors-MAX_NUM_FORMS": "100",
    }
    for index in range(3):
        data[f"contributors-{index}-name"] = ""
        data[f"contributors-{index}-role"] = "author"
    data.update(extra)
    return data


def post_record(client, **extra):
    return client.post(reverse("cataloguing:record-create"), record_data(**extra))


# ---------------------------------------------------------------------------------------------
# Describing a record


def test_cataloguer_adds_a_record_with_contributors_and_subjects_in_order(cataloguer):
    client = english(cataloguer)
    response = post_record(
        client,
        **{
            "contributors-0-name": "Toer, Pramoedya Ananta, 1925-2006",
            "contributors-1-name": "",
            "contributors-2-name": "Lane, Max",
            "contributors-2-role": "translator",
            "subjects": "Indonesia -- History -- Fiction\nNationalism -- Fiction\n",
            "subject_add": "Java (Indonesia) -- Fiction",
            "isbns": "979-97312-3-2\n9789799731234\n",
            "accessibility_features": ["large_print", "easy_read"],
        },
    )
    record = Record.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cataloguing:record-detail", args=[record.pk])
    links = list(record.record_contributors.order_by("position"))
    assert [(link.contributor.name, link.contributor.dates, link.role) for link in links] == [
        ("Toer, Pramoedya Ananta", "1925-2006", "author"),
        ("Lane, Max", "", "translator"),
    ]
    assert [link.subject.heading for link in record.record_subjects.order_by("position")] == [
        "Indonesia -- History -- Fiction",
        "Nationalism -- Fiction",
        "Java (Indonesia) -- Fiction",
    ]
    assert record.isbn == "9789799731234"
    assert record.accessibility_features == ["large_print", "easy_read"]
    assert record.source == "manual" and record.created_by == cataloguer


def test_form_errors_name_the_field_and_the_problem_and_nothing_is_saved(cataloguer):
    client = english(cataloguer)
    response = post_record(
        client,
        title="  ",
        year="3000",
        isbns=f"{LASKAR_ISBN}\n{BAD_ISBN}",
        language="indonesia",
        issn="1234-5678",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not Record.objects.exists()
    form = response.context["form"]
    assert form.errors["title"] == ["Give the title."]
    assert "between 1000 and" in form.errors["year"][0]
    assert form.errors["isbns"] == [
        f"Line 2: “{BAD_ISBN}” is not a valid ISBN: the check digit does not match."
    ]
    assert "three-letter language code" in form.errors["language"][0]
    assert "not a valid ISSN" in form.errors["issn"][0]
    # The summary at the top links each problem to its field.
    assert 'href="#id_isbns"' in html and "ISBNs: Line 2:" in html
    assert 'aria-invalid="true"' in html


def test_two_letter_language_codes_become_three(cataloguer):
    post_record(english(cataloguer), language="ID")
    assert Record.objects.get().language == "ind"


def test_duplicate_isbn_warns_with_a_link_and_saves_only_when_confirmed(cataloguer, laskar):
    client = english(cataloguer)
    response = post_record(client, title="Laskar pelangi (cetakan ke-2)", isbns="9789793062792")
    html = response.content.decode()
    assert response.status_code == 200
    assert Record.objects.count() == 1
    assert reverse("cataloguing:record-detail", args=[laskar.pk]) in html
    assert "already has a record with this ISBN" in html
    assert 'name="confirm_duplicate"' in html

    response = post_record(
        client, title="Laskar pelangi (cetakan ke-2)", isbns="9789793062792", confirm_duplicate="on"
    )
    assert response.status_code == 302
    assert Record.objects.count() == 2


def test_editing_a_record_keeps_its_own_isbn_without_warning_and_keeps_items(
    cataloguer, laskar, library
):
    add_items(laskar, count=2, branch=Branch.objects.get(code="pusat"), by=cataloguer)
    client = english(cataloguer)
    form_page = client.get(reverse("cataloguing:record-edit", args=[laskar.pk]))
    initial = form_page.context["form"].initial
    assert initial["isbns"] == "978-979-3062-79-2"
    rows = form_page.context["formset"].initial
    assert rows[0] == {"name": "Hirata, Andrea, 1967-", "role": "author"}
    response = client.post(
        reverse("cataloguing:record-edit", args=[laskar.pk]),
        record_data(
            title="Laskar pelangi",
            subtitle="sebuah novel",
            isbns=initial["isbns"],
            **{
                "contributors-0-name": rows[0]["name"],
                "contributors-1-name": "HIRATA, Andréa, 1967-",
                "contributors-1-role": "illustrator",
                "subjects": "Belitung Island (Indonesia) -- Fiction",
            },
        ),
    )
    assert response.status_code == 302
    laskar.refresh_from_db()
    assert laskar.subtitle == "sebuah novel"
    assert laskar.items.count() == 2
    # The same heading however it was written: still one contributor (the dates are kept).
    assert Contributor.objects.count() == 1, list(Contributor.objects.values())
    assert Contributor.objects.get().dates == "1967-"
    assert list(laskar.record_contributors.values_list("role", flat=True)) == [
        "author",
        "illustrator",
    ]


def test_editing_a_marc_record_says_what_happens_to_its_marc_export(cataloguer, laskar):
    client = english(cataloguer)
    url = reverse("cataloguing:record-edit", args=[laskar.pk])
    assert "came from a MARC file" not in client.get(url).content.decode()
    Record.objects.filter(pk=laskar.pk).update(marc={"leader": "x", "fields": []})
    html = client.get(url).content.decode()
    assert "the MARC export then carries the edited description" in html


def test_add_a_row_without_javascript_keeps_what_was_typed_and_saves_nothing(cataloguer):
    client = english(cataloguer)
    response = post_record(
        client, title="", add_contributor="1", **{"contributors-0-name": "Toer, Pramoedya"}
    )
    assert response.status_code == 200
    assert not Record.objects.exists()
    formset = response.context["formset"]
    assert formset.total_form_count() == 4
    html = response.content.decode()
    assert 'name="contributors-3-name"' in html
    assert 'value="Toer, Pramoedya"' in html
    assert "Give the title." not in html  # not judged yet


def test_add_a_row_with_htmx_returns_the_row_and_the_new_count(cataloguer):
    client = english(cataloguer)
    response = client.get(
        reverse("cataloguing:contributor-row"),
        {"contributors-TOTAL_FORMS": "3"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'name="contributors-3-name"' in html
    assert "Contributor 4" in html
    assert 'id="id_contributors-TOTAL_FORMS"' in html and 'value="4"' in html
    assert 'hx-swap-oob="true"' in html


def test_suggestions_match_headings_by_their_key_prefix(cataloguer, laskar):
    create_record(
        ParsedRecord(
            title="Sang pemimpi",
            contributors=[ParsedContributor("Hiraeth, Anna")],
            subjects=["Belitung Island (Indonesia) -- Social life", "Mathematics"],
        ),
        by=cataloguer,
    )
    client = english(cataloguer)
    url = reverse("cataloguing:suggest-contributors")
    html = client.get(url, {"q": "HIRAT"}).content.decode()
    assert '<option value="Hirata, Andrea, 1967-">' in html
    assert "Hiraeth" not in html
    both = client.get(url, {"q": "hira"}).content.decode()
    assert "Hiraeth, Anna" in both and "Hirata, Andrea" in both
    # htmx sends the typed field under its own name.
    html = client.get(url, {"contributors-2-name": "hiraé"}).content.decode()
    assert "Hiraeth, Anna" in html
    subjects = client.get(reverse("cataloguing:suggest-subjects"), {"q": "belitung island"})
    text = subjects.content.decode()
    assert text.count("<option") == 2 and "Mathematics" not in text
    assert client.get(url, {"q": "  ,, "}).content.decode().strip() == ""


def test_suggestion_lookup_is_one_indexed_query(cataloguer, laskar):
    from catalog.selectors import suggest_contributors

    with CaptureQueriesContext(connection) as queries:
        suggest_contributors("hirata")
    assert len(queries) == 1
    sql = queries[0]["sql"]
    assert ">=" in sql and "<" in sql  # a range on the unique key index


# ---------------------------------------------------------------------------------------------
# Finding records


def test_home_finds_by_title_isbn_barcode_and_control_number(cataloguer, laskar, library):
    Record.objects.filter(pk=laskar.pk).update(control_number="ocm123")
    add_items(
        laskar,
        count=1,
        branch=Branch.objects.get(code="pusat"),
        first_barcode="P0099",
        by=cataloguer,
    )
    other = create_record(ParsedRecord(title="Bumi manusia"), by=cataloguer)
    client = english(cataloguer)
    for query in ("pelangi", "9789793062792", "979-3062-79-7", "p0099", "ocm123"):
        results = client.get(reverse("cataloguing:home"), {"q": query}).context["results"]
        assert results == [laskar], query
    page = client.get(reverse("cataloguing:home"))
    assert list(page.context["recently_added"])[:2] == [other, laskar]
    partial = client.get(reverse("cataloguing:home"), {"q": "bumi"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert "Bumi manusia" in partial.content.decode()


def test_import_links_come_from_the_import_screens_and_only_when_they_resolve(
    cataloguer, librarian, monkeypatch
):
    from types import SimpleNamespace

    from catalog.cataloguing import views

    home = reverse("cataloguing:home")
    # The import screens' own staff links, when they register some (and the user may use them).
    theirs = SimpleNamespace(url_name="importing:list", label="Import records", url="/imp/")
    other = SimpleNamespace(url_name="cataloguing:labels", label="Labels", url="/labels/")
    monkeypatch.setattr(views, "staff_links_for", lambda user: [("Collection", [theirs, other])])
    links = english(cataloguer).get(home).context["import_links"]
    assert [(link.label, link.url) for link in links] == [("Import records", "/imp/")]
    # Without them: a URL name that resolves, guarded against NoReverseMatch.
    monkeypatch.setattr(views, "staff_links_for", lambda user: [])
    monkeypatch.setattr(views, "IMPORT_URL_NAMES", ("importing:not-there",))
    assert english(cataloguer).get(home).context["import_links"] == []
    monkeypatch.setattr(views, "IMPORT_URL_NAMES", ("importing:not-there", "cataloguing:labels"))
    links = english(cataloguer).get(home).context["import_links"]
    assert [link.url for link in links] == [reverse("cataloguing:labels")]
    assert english(librarian).get(home).context["import_links"] == []


# ---------------------------------------------------------------------------------------------
# Copies


def test_adding_copies_gives_sequential_barcodes_from_the_first(cataloguer, laskar):
    client = english(cataloguer)
    branch = Branch.objects.get(code="cabang")
    response = client.post(
        reverse("cataloguing:items-add", args=[laskar.pk]),
        {
            "count": "3",
            "branch": branch.pk,
            "first_barcode": "P0099",
            "shelf_location": "Rak 3",
            "collection": "local",
            "status": "available",
            "price": "Rp 45.000",
            "source": "donation",
            "donor": "Dinas Pendidikan",
            "acquired_on": "2026-01-05",
        },
    )
    assert response.status_code == 302
    items = list(Item.objects.order_by("barcode"))
    assert [i.barcode for i in items] == ["P0099", "P0100", "P0101"]
    assert {(i.branch, i.price, i.donor, i.collection) for i in items} == {
        (branch, 45000, "Dinas Pendidikan", "local")
    }
    page = client.get(reverse("cataloguing:record-detail", args=[laskar.pk])).content.decode()
    assert "Rp\u00a045.000" in page and "Dinas Pendidikan" in page


def test_adding_copies_without_a_first_barcode_uses_the_library_sequence(cataloguer, laskar):
    client = english(cataloguer)
    client.post(
        reverse("cataloguing:items-add", args=[laskar.pk]),
        {
            "count": "2",
            "branch": Branch.objects.get(code="pusat").pk,
            "collection": "general",
            "status": "available",
            "source": "purchase",
        },
    )
    assert sorted(Item.objects.values_list("barcode", flat=True)) == ["B00000001", "B00000002"]


def test_copies_running_into_a_taken_barcode_are_refused_by_name(cataloguer, laskar):
    branch = Branch.objects.get(code="pusat")
    add_items(laskar, count=1, branch=branch, first_barcode="P0100", by=cataloguer)
    response = english(cataloguer).post(
        reverse("cataloguing:items-add", args=[laskar.pk]),
        {
            "count": "3",
            "branch": branch.pk,
            "first_barcode": "P0099",
            "collection": "general",
            "status": "available",
            "source": "purchase",
        },
    )
    assert response.status_code == 200
    assert "P0100" in response.context["form"].errors["first_barcode"][0]
    assert Item.objects.count() == 1


def test_add_copies_form_rejects_bad_input_by_field(cataloguer, laskar):
    response = english(cataloguer).post(
        reverse("cataloguing:items-add", args=[laskar.pk]),
        {
            "count": "0",
            "branch": Branch.objects.get(code="pusat").pk,
            "first_barcode": "PX",
            "collection": "general",
            "status": "available",
            "source": "purchase",
            "donor": "Somebody",
            "price": "lots",
        },
    )
    errors = response.context["form"].errors
    assert set(errors) == {"count", "first_barcode", "donor", "price"}
    assert not Item.objects.exists()


def test_editing_a_copy_with_a_taken_barcode_or_tag_names_it_and_saves_nothing(
    librarian, cataloguer, laskar
):
    branch = Branch.objects.get(code="pusat")
    first, second = add_items(laskar, count=2, branch=branch, by=cataloguer)
    Item.objects.filter(pk=first.pk).update(rfid_tag="E200341201")
    client = english(librarian)  # a librarian may edit copies
    url = reverse("cataloguing:item-edit", args=[second.pk])
    fields = {
        "barcode": first.barcode,
        "rfid_tag": "",
        "branch": branch.pk,
        "collection": "general",
        "status": "available",
        "source": "purchase",
        "shelf_location": "Rak 9",
    }
    response = client.post(url, fields)
    assert response.status_code == 200
    assert response.context["form"].errors["barcode"] == [
        f"The barcode {first.barcode} is already used by another item."
    ]
    response = client.post(url, {**fields, "barcode": second.barcode, "rfid_tag": "E200341201"})
    assert response.context["form"].errors["rfid_tag"] == [
        "The RFID tag E200341201 is already used by another item."
    ]
    second.refresh_from_db()
    assert second.shelf_location == "" and second.rfid_tag == ""

    response = client.post(url, {**fields, "barcode": "P7", "status": "repair", "price": "12.500"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.barcode, second.status, second.price, second.shelf_location) == (
        "P7",
        "repair",
        12500,
        "Rak 9",
    )


def test_the_copy_form_leaves_circulation_statuses_to_circulation(cataloguer, laskar):
    branch = Branch.objects.get(code="pusat")
    shelved, lent = add_items(laskar, count=2, branch=branch, by=cataloguer)
    Item.objects.filter(pk=lent.pk).update(status="on_loan")
    client = english(cataloguer)
    form = client.get(reverse("cataloguing:item-edit", args=[shelved.pk])).context["form"]
    offered = {value for value, _label in form.fields["status"].choices}
    assert "on_loan" not in offered and {"available", "repair", "withdrawn"} <= offered
    fields = {
        "barcode": lent.barcode,
        "branch": branch.pk,
        "collection": "general",
        "source": "purchase",
        "status": "available",
        "shelf_location": "Rak 1",
    }
    response = client.post(reverse("cataloguing:item-edit", args=[lent.pk]), fields)
    assert response.status_code == 302
    lent.refresh_from_db()
    assert (lent.status, lent.shelf_location) == ("on_loan", "Rak 1")


def test_deleting_a_copy_asks_first(cataloguer, laskar):
    (item,) = add_items(laskar, count=1, branch=Branch.objects.get(code="pusat"), by=cataloguer)
    client = english(cataloguer)
    url = reverse("cataloguing:item-delete", args=[item.pk])
    assert client.get(url).status_code == 200
    assert Item.objects.exists()
    assert client.post(url).status_code == 302
    assert not Item.objects.exists()


def test_a_copy_that_loans_refer_to_is_not_deleted_but_explained(cataloguer, laskar, monkeypatch):
    from django.db.models import ProtectedError

    (item,) = add_items(laskar, count=1, branch=Branch.objects.get(code="pusat"), by=cataloguer)

    def refuse(item, *, by):
        raise ProtectedError("loans", set())

    monkeypatch.setattr("catalog.services.delete_item", refuse)
    client = english(cataloguer)
    response = client.post(reverse("cataloguing:item-delete", args=[item.pk]), follow=True)
    assert "Give it the status “Withdrawn” instead." in response.content.decode()
    assert Item.objects.filter(pk=item.pk).exists()


def test_deleting_a_record_asks_first(cataloguer, laskar):
    client = english(cataloguer)
    url = reverse("cataloguing:record-delete", args=[laskar.pk])
    assert client.get(url).status_code == 200
    assert client.post(url)["Location"] == reverse("cataloguing:home")
    assert not Record.objects.exists()


# ---------------------------------------------------------------------------------------------
# Who may do what


def test_librarian_may_view_and_edit_copies_but_not_describe_records(librarian, laskar):
    client = english(librarian)
    assert client.get(reverse("cataloguing:home")).status_code == 200
    page = client.get(reverse("cataloguing:record-detail", args=[laskar.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("cataloguing:record-edit", args=[laskar.pk]) not in html
    assert reverse("cataloguing:items-add", args=[laskar.pk]) not in html
    assert client.get(reverse("cataloguing:record-create")).status_code == 403
    assert post_record(client).status_code == 403
    assert client.get(reverse("cataloguing:record-edit", args=[laskar.pk])).status_code == 403
    assert client.get(reverse("cataloguing:items-add", args=[laskar.pk])).status_code == 403
    assert client.post(reverse("cataloguing:record-cover", args=[laskar.pk])).status_code == 403
    assert client.get(reverse("cataloguing:labels")).status_code == 200
    assert Record.objects.count() == 1


def test_member_gets_403_everywhere(member, laskar):
    client = english(member)
    for url in (
        reverse("cataloguing:home"),
        reverse("cataloguing:record-detail", args=[laskar.pk]),
        reverse("cataloguing:record-create"),
        reverse("cataloguing:labels"),
        reverse("cataloguing:suggest-contributors") + "?q=hir",
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(client, library):
    response = client.get(reverse("cataloguing:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_home_links_to_cataloguing_for_those_who_may(cataloguer, librarian):
    html = english(cataloguer).get(reverse("core:staff-home")).content.decode()
    assert reverse("cataloguing:home") in html
    assert reverse("cataloguing:record-create") in html
    assert reverse("cataloguing:labels") in html
    html = english(librarian).get(reverse("core:staff-home")).content.decode()
    assert reverse("cataloguing:record-create") not in html
    assert reverse("cataloguing:labels") in html


# ---------------------------------------------------------------------------------------------
# Cost


def test_record_page_costs_the_same_queries_for_one_copy_or_many(cataloguer, laskar):
    client = english(cataloguer)
    url = reverse("cataloguing:record-detail", args=[laskar.pk])
    add_items(laskar, count=1, branch=Branch.objects.get(code="pusat"), by=cataloguer)
    client.get(url)  # warm the session and the library cache
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add_items(laskar, count=9, branch=Branch.objects.get(code="cabang"), by=cataloguer)
    create_record(
        ParsedRecord(
            title="Other",
            contributors=[ParsedContributor("A"), ParsedContributor("B")],
            subjects=["X", "Y"],
        ),
        by=cataloguer,
    )
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert html.count('<th scope="row">') == 10
    assert len(many) == len(one)
    # Session, user, roles and permissions, then the record, its contributors, subjects,
    # identifiers and copies (with their branch): five of the page's own.
    own = [q["sql"] for q in one if '"catalog_' in q["sql"]]
    assert len(own) == 5, own
    assert len(one) <= 11, [q["sql"] for q in one]
    assert Subject.objects.count() == 3
