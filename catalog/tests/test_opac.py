"""The public catalogue: search page, facets, pages, messages, record page, browsing."""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from search.tests.conftest import sample_catalogue

pytestmark = pytest.mark.django_db

SEARCH = "/catalogue/"
BUDGET = 60 * 1024


@pytest.fixture
def client(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def cataloguer(make_user, library):
    return make_user("katalog", roles={"cataloguer"})


@pytest.fixture
def add_record(cataloguer, django_capture_on_commit_callbacks):
    from search.tests.conftest import add_record as factory

    return factory.__wrapped__(cataloguer, django_capture_on_commit_callbacks)


@pytest.fixture
def catalogue(add_record):
    return sample_catalogue(add_record)


def text_of(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


class _Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta, self.ld, self.assets, self._in_ld, self.links = {}, [], [], False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "property" in attrs:
            self.meta.setdefault(attrs["property"], []).append(attrs.get("content"))
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True
        elif tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.assets.append(attrs["href"])
        if tag in ("img", "script", "link") and (attrs.get("src") or attrs.get("href")):
            self.links.append(attrs.get("src") or attrs.get("href"))

    def handle_endtag(self, tag):
        self._in_ld = False if tag == "script" else self._in_ld

    def handle_data(self, data):
        if self._in_ld:
            self.ld.append(data)


def parsed(response) -> _Meta:
    parser = _Meta()
    parser.feed(response.content.decode())
    return parser


# ---------------------------------------------------------------------------------------------
# The shell points here


def test_home_search_box_and_header_link_lead_to_the_opac(client, library):
    home = client.get("/").content.decode()
    assert f'action="{SEARCH}"' in home
    assert f'href="{SEARCH}"' in home
    page = client.get(SEARCH).content.decode()
    assert 'aria-current="page"' in page


# ---------------------------------------------------------------------------------------------
# Results


def test_visitor_finds_bacaan_anak_by_typing_membaca(client, catalogue):
    response = client.get(SEARCH, {"q": "membaca"})
    assert response.status_code == 200
    text = text_of(response)
    assert "1 result for “membaca”" in text
    assert "Bacaan anak" in text
    assert "Sutrisno, Budi" in text
    assert "2019 · Book" in text
    assert "2 of 2 available at Pusat" in text
    assert "1 of 1 available at Cabang" in text
    assert reverse("opac:record", args=[catalogue["bacaan"].pk]) in response.content.decode()


def test_results_are_announced_in_a_status_region(client, catalogue):
    html = client.get(SEARCH, {"q": "hirata"}).content.decode()
    status = re.search(r'<div role="status"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert "2 results for “hirata”" in " ".join(status.split())


def test_a_record_with_a_cover_shows_its_thumbnail_and_others_a_placeholder(client, catalogue):
    record = catalogue["laskar"]
    gif = (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00"
        b"\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )
    record.cover_thumbnail.save("laskar.gif", SimpleUploadedFile("laskar.gif", gif), save=True)
    html = client.get(SEARCH, {"q": "hirata"}).content.decode()
    assert re.search(r'<img class="cover" src="[^"]*laskar[^"]*\.gif" alt="" width="60"', html)
    assert html.count('class="cover cover-none"') == 1  # Sang pemimpi


def test_facets_are_a_form_of_labelled_checkboxes_and_work_without_javascript(client, catalogue):
    html = client.get(SEARCH, {"q": "indonesia"}).content.decode()
    form = re.search(r'<form method="get" class="facet-form">(.*?)</form>', html, re.S).group(1)
    assert "<fieldset>" in form and "<legend>Language</legend>" in form
    box = re.search(r'<input type="checkbox" id="([^"]+)" name="language" value="eng"', form)
    assert box and f'<label class="inline" for="{box.group(1)}">' in form
    assert 'name="q" value="indonesia"' in form
    assert 'type="submit"' in form

    narrowed = client.get(SEARCH, {"q": "indonesia", "language": "eng"})
    text = text_of(narrowed)
    assert "1 result for “indonesia”" in text and "A history of Indonesia" in text
    # The chosen filter can be removed with a plain link.
    html = narrowed.content.decode()
    remove = re.search(r'<div class="chosen">.*?<a href="\?([^"]+)"', html, re.S).group(1)
    assert "language" not in remove and "q=indonesia" in remove


def test_two_facets_and_sorting_keep_each_other(client, catalogue):
    response = client.get(SEARCH, {"q": "", "language": "ind", "branch": "cabang", "sort": "title"})
    text = text_of(response)
    assert "3 results" in text
    titles = re.findall(r'class="result-title"><a [^>]+>([^<]+)<', response.content.decode())
    assert titles == [
        "Bacaan anak",
        "Menulis itu mudah: panduan pendidikan menulis untuk guru",
        "Sang pemimpi",
    ]
    html = response.content.decode()
    assert 'name="sort" value="title"' in html  # the filter form keeps the order
    assert 'name="branch" value="cabang"' in html  # the sort form keeps the filters


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("-1", "Pages start at 1; here is the first page."),
        ("0", "Pages start at 1; here is the first page."),
        ("1000000000", "There are only 2 pages of results; here is the last one."),
        ("abc", "“abc” is not a page number; here is the first page."),
        ("9" * 5000, "is not a page number; here is the first page."),
    ],
)
def test_impossible_page_numbers_give_a_clear_page(client, catalogue, page, message, monkeypatch):
    from catalog.opac import views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    response = client.get(SEARCH, {"q": "indonesia", "page": page})
    assert response.status_code == 200
    assert message in text_of(response) or message in response.content.decode()


def test_punctuation_only_and_very_long_searches_get_a_message(client, catalogue):
    response = client.get(SEARCH, {"q": "!!! ??? ..."})
    assert response.status_code == 200
    assert "Your search has no letters or numbers to look for." in text_of(response)
    response = client.get(SEARCH, {"q": "buku," * 2000})
    assert response.status_code == 200
    assert "Your search is 10,000 characters long; a search may have at most 500." in text_of(
        response
    )


def test_no_results_offer_a_close_word(client, catalogue):
    response = client.get(SEARCH, {"q": "pelangu"})
    text = text_of(response)
    assert "No results for “pelangu”." in text
    assert 'Did you mean <a href="?q=pelangi">pelangi</a>?' in response.content.decode()


def test_the_results_page_costs_the_same_queries_for_two_or_twelve_hits(
    client, catalogue, add_record, django_assert_num_queries
):
    client.get(SEARCH, {"q": "hirata"})  # the library profile is cached from here on
    with CaptureQueriesContext(connection) as few:
        assert client.get(SEARCH, {"q": "hirata"}).status_code == 200
    count = len(few.captured_queries)
    for n in range(10):
        add_record(f"Cerita hirata {n}", contributors=[f"Penulis {n}"], items=["pusat", "cabang"])
    client.get(SEARCH, {"q": "hirata"})
    with django_assert_num_queries(count):
        html = client.get(SEARCH, {"q": "hirata"}).content.decode()
    assert html.count('class="result"') == 12


def test_results_page_stays_under_60_kb_with_its_css_and_javascript(client, catalogue, add_record):
    for n in range(25):
        add_record(
            f"Sejarah pendidikan di Indonesia jilid {n}",
            contributors=["Sutrisno, Budi", "Hirata, Andrea", "Ricklefs, M. C."],
            subjects=[f"Pendidikan -- Sejarah -- {n}", "Indonesia -- History"],
            year=1990 + n,
            language="ind",
            items=["pusat", "cabang"],
        )
    response = client.get(SEARCH, {"q": "sejarah"})
    assert response.status_code == 200
    total = len(gzip.compress(response.content))
    for asset in parsed(response).assets:
        path = finders.find(asset.removeprefix("/static/"))
        assert path, asset
        with open(path, "rb") as handle:
            total += len(gzip.compress(handle.read()))
    assert total < BUDGET, f"{total} bytes"


def test_pages_load_nothing_from_other_sites(client, catalogue):
    for url in (
        f"{SEARCH}?q=hirata",
        reverse("opac:record", args=[catalogue["laskar"].pk]),
        reverse("opac:subjects"),
    ):
        for link in parsed(client.get(url)).links:
            assert link.startswith(("/", "http://testserver/")), link


# ---------------------------------------------------------------------------------------------
# Record page


def test_record_page_shows_availability_per_branch_with_shelf_and_call_number(
    client, catalogue, cataloguer
):
    from catalog.models import Item

    record = catalogue["bacaan"]
    record.call_number = "028.5 SUT b"
    record.save()
    item = Item.objects.filter(record=record, branch__code="pusat").first()
    item.shelf_location = "Rak Anak 3"
    item.save()
    response = client.get(reverse("opac:record", args=[record.pk]))
    assert response.status_code == 200
    text = text_of(response)
    assert "3 of 3 copies available now." in text
    assert "Pusat: 2 of 2 available" in text
    assert "Cabang: 1 of 1 available" in text
    assert "Rak Anak 3" in text
    assert "028.5 SUT b" in text
    assert "Nobody is waiting for it." in text  # the hold queue, from circulation


def test_record_page_describes_itself_to_machines(client, catalogue):
    record = catalogue["laskar"]
    response = client.get(reverse("opac:record", args=[record.pk]))
    page = parsed(response)
    data = json.loads("".join(page.ld))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Book"
    assert data["name"] == "Laskar pelangi"
    assert data["isbn"] == "9789793062792"
    assert data["author"] == [{"@type": "Person", "name": "Hirata, Andrea"}]
    assert data["inLanguage"] == "id"
    assert data["offers"][0]["availableAtOrFrom"]["name"] == "Pusat"
    url = f"http://testserver/catalogue/records/{record.pk}/"
    assert page.meta["og:type"] == ["book"]
    assert page.meta["og:title"] == ["Laskar pelangi"]
    assert page.meta["og:url"] == [url]
    assert page.meta["book:isbn"] == ["9789793062792"]
    html = response.content.decode()
    assert f'<link rel="canonical" href="{url}">' in html


def test_json_ld_cannot_break_out_of_its_script(client, add_record):
    record = add_record("Evil </script><script>alert(1)</script> & co")
    html = client.get(reverse("opac:record", args=[record.pk])).content.decode()
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block
    assert json.loads(block)["name"].startswith("Evil </script>")


def test_record_page_cites_and_shares_without_external_scripts(client, catalogue):
    record = catalogue["laskar"]
    response = client.get(reverse("opac:record", args=[record.pk]))
    html = response.content.decode()
    assert "Hirata, A. (2005). <i>Laskar pelangi</i>." in html
    assert re.search(
        r'<textarea id="citation-text"[^>]*>Hirata, A\. \(2005\)\. Laskar pelangi\.', html
    )
    for site in (
        "https://wa.me/?text=",
        "https://www.facebook.com/sharer/sharer.php?u=",
        "https://x.com/intent/post?",
        "mailto:?subject=",
    ):
        assert f'href="{site}' in html
    assert re.search(
        r'<label for="record-link">[^<]+</label>\s*<input type="text" id="record-link" '
        r'value="http://testserver/catalogue/records/\d+/" readonly',
        html,
    )


def test_vernacular_titles_display_in_their_own_direction(client, add_record):
    record = add_record("Kitāb al-ʻArabīyah", title_vernacular="كتاب العربية", language="ara")
    html = client.get(reverse("opac:record", args=[record.pk])).content.decode()
    assert '<p class="vernacular" lang="ar" dir="auto">كتاب العربية</p>' in html
    assert '<h1 dir="auto">' in html
    results = client.get(SEARCH, {"q": "العربية"}).content.decode()
    assert '<p class="vernacular" dir="auto">كتاب العربية</p>' in results


def test_a_missing_record_is_a_404(client, library):
    assert client.get(reverse("opac:record", args=[999999])).status_code == 404


# ---------------------------------------------------------------------------------------------
# Browsing


def test_browse_subjects_with_counts(client, catalogue):
    response = client.get(reverse("opac:subjects"))
    text = text_of(response)
    assert "Belitung Island (Indonesia) -- Fiction (2)" in text
    from_p = text_of(client.get(reverse("opac:subjects"), {"from": "p"}))
    assert "Pendidikan -- Indonesia (1)" in from_p
    assert "Belitung" not in from_p.split("Subjects from")[1]


def test_garbage_parameters_give_pages_not_errors(client, catalogue):
    for params in (
        {"q": "laskar\x00pelangi", "sort": "<script>", "branch": "\x00", "subject": "9" * 40},
        {"language": "x" * 500, "year": "\x00", "ddc": "abc", "available": "\x00"},
        {"q": '"unclosed phrase', "material_type": ["book", "book"]},
    ):
        assert client.get(SEARCH, params).status_code == 200
    assert client.get(reverse("opac:subjects"), {"from": "a\x00b"}).status_code == 200
    assert client.get(reverse("opac:new-arrivals"), {"page": "\x00"}).status_code == 200


def test_browse_ddc_classes_then_divisions(client, add_record):
    add_record("Sejarah Indonesia", ddc="959.8", items=["pusat"])
    add_record("Sejarah Jawa", ddc="959.82")
    add_record("Puisi", ddc="899.221")
    text = text_of(client.get(reverse("opac:classes")))
    assert "900 History and geography (2)" in text
    assert "800 Literature (1)" in text
    division = text_of(client.get(reverse("opac:class", args=["9"])))
    assert "950 950–959 (2)" in division
    assert client.get(reverse("opac:class", args=["x"])).status_code == 404
    assert "2 results" in text_of(client.get(SEARCH, {"ddc": "95"}))


def test_new_arrivals_are_records_with_copies_newest_first(client, catalogue):
    text = text_of(client.get(reverse("opac:new-arrivals")))
    titles = [
        t
        for t in ("Menulis itu mudah", "Sang pemimpi", "Laskar pelangi", "Bacaan anak")
        if t in text
    ]
    assert titles == ["Menulis itu mudah", "Sang pemimpi", "Laskar pelangi", "Bacaan anak"]
    assert "A history of Indonesia" not in text  # no copies
    assert client.get(reverse("opac:new-arrivals"), {"page": "-3"}).status_code == 200


def test_advanced_search_fields_become_field_searches(client, catalogue):
    response = client.get(SEARCH, {"author": "hirata", "title": "sang"})
    text = text_of(response)
    assert "1 result" in text and "Sang pemimpi" in text
    assert text_of(client.get(reverse("opac:advanced"))).count("Material type") == 1
