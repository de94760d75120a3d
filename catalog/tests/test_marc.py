"""MARC21 to catalogue records and back: the field mapping, holdings as copies, encodings."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from pymarc import Field, Indicators, MARCReader, Subfield
from pymarc import Record as MarcRecord

from catalog.importing import iso2709
from catalog.importing.readers import read_file
from catalog.marc import (
    fits_iso2709,
    iso2709_length,
    marc_dict,
    marc_from_record,
    parsed_from_marc,
    record_from_dict,
)
from catalog.models import Collection, Item, ItemStatus
from catalog.records import ParsedContributor, ParsedItem, ParsedRecord
from catalog.services import create_record, marc_length_of, save_parsed_record
from core.models import Branch

DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="shared/data is not here")


@pytest.fixture(autouse=True)
def english():
    """The messages asserted here are the English originals; the default language is Indonesian."""
    with translation.override("en"):
        yield


def marc(*fields: Field, leader: str = "00000nam a2200000 a 4500") -> MarcRecord:
    record = MarcRecord()
    record.leader = leader  # type: ignore[assignment]
    record.fields = list(fields)
    return record


def data(tag: str, ind: str, *pairs: str) -> Field:
    subfields = [Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=subfields)


def f008(*, audience: str = " ", form: str = " ", language: str = "ind") -> str:
    """A books 008: entered, dates, place (0-17), illustrations (18-21), audience (22), form of
    item (23), … language (35-37)."""
    value = "050101s2005    io " + "    " + audience + form + "           " + language + " d"
    assert value[22] == audience and value[23] == form and value[35:38] == language
    return value


def first(name: str, fmt: str = "marc21", index: int = 0) -> ParsedRecord:
    entries = list(read_file(DATA / name, fmt))
    return entries[index][1]


def test_the_title_fields_lose_their_isbd_punctuation():
    parsed = parsed_from_marc(
        marc(
            Field(tag="001", data="  00012345 "),
            Field(tag="003", data="DLC"),
            Field(tag="008", data=f008()),
            data("020", "  ", "a", "979-3062-79-7 (pbk.)", "z", "9790000000000"),
            data("100", "1 ", "a", "Hirata, Andrea,", "d", "1967-"),
            data(
                "245", "10", "a", "Laskar pelangi :", "b", "sebuah novel /", "c", "Andrea Hirata."
            ),
            data("250", "  ", "a", "Cet. ke-5."),
            data("260", "  ", "a", "[Yogyakarta] :", "b", "Bentang,", "c", "c2005."),
            data("300", "  ", "a", "xxxiv, 529 p. ;", "c", "21 cm."),
            data("490", "0 ", "a", "Tetralogi laskar pelangi ;", "v", "1"),
            data("500", "  ", "a", "Novel."),
            data("520", "  ", "a", "Sepuluh anak Belitung."),
            data("650", " 0", "a", "Belitung Island (Indonesia)", "v", "Fiction."),
            data("700", "1 ", "a", "Lee, Angie,", "e", "translator."),
            data("082", "04", "a", "899.2213/2"),
        )
    )
    assert (parsed.title, parsed.subtitle, parsed.responsibility) == (
        "Laskar pelangi",
        "sebuah novel",
        "Andrea Hirata",
    )
    assert (parsed.place, parsed.publisher, parsed.year) == ("Yogyakarta", "Bentang", 2005)
    assert parsed.control_number == "00012345" and parsed.control_number_source == "DLC"
    assert parsed.isbns == ["979-3062-79-7 (pbk.)"]
    assert any("020 $z" in warning for warning in parsed.warnings)
    assert [(c.name, c.role, c.dates) for c in parsed.contributors] == [
        ("Hirata, Andrea", "author", "1967-"),
        ("Lee, Angie", "translator", ""),
    ]
    assert parsed.subjects == ["Belitung Island (Indonesia) -- Fiction"]
    assert parsed.edition == "Cet. ke-5"
    assert parsed.series == "Tetralogi laskar pelangi ; 1"
    assert parsed.physical_description == "xxxiv, 529 p. ; 21 cm"
    assert parsed.notes == "Novel." and parsed.summary == "Sepuluh anak Belitung."
    assert parsed.ddc == "899.22132"
    assert parsed.call_number == "899.22132 HIR l"  # DDC + cutter, the Indonesian way
    assert parsed.language == "ind"
    assert parsed.material_type == "book"
    assert parsed.marc["fields"][0] == {"001": "  00012345 "}  # kept as it came


def test_a_local_call_number_wins_and_corporate_and_meeting_names_get_their_roles():
    parsed = parsed_from_marc(
        marc(
            data("110", "2 ", "a", "Indonesia.", "b", "Departemen Pendidikan."),
            data("245", "00", "a", "Laporan tahunan"),
            data("711", "2 ", "a", "Kongres Bahasa Indonesia", "d", "(1998)"),
            data("082", "04", "a", "499.221"),
            data("092", "  ", "a", "R 499.221", "b", "IND l"),
        )
    )
    assert parsed.call_number == "R 499.221 IND l"
    assert [(c.name, c.role) for c in parsed.contributors] == [
        ("Indonesia. Departemen Pendidikan", "corporate"),
        ("Kongres Bahasa Indonesia", "meeting"),
    ]


@pytest.mark.parametrize(
    ("leader", "form", "material", "features"),
    [
        ("nam", " ", "book", []),
        ("nam", "d", "large_print", ["large_print"]),
        ("nam", "f", "braille", ["braille"]),
        ("nam", "o", "ebook", []),
        ("nas", " ", "serial", []),
        ("naa", " ", "article", []),
        ("ngm", " ", "video", []),
        ("nem", " ", "map", []),
        ("ncm", " ", "score", []),
        ("nim", " ", "audiobook", []),
        ("njm", " ", "sound", []),
        ("nom", " ", "kit", []),
    ],
)
def test_material_type_from_the_leader_and_the_form_of_item(leader, form, material, features):
    parsed = parsed_from_marc(
        marc(
            Field(tag="008", data=f008(form=form)),
            data("245", "00", "a", "X"),
            leader=f"00000{leader} a2200000 a 4500",
        )
    )
    assert parsed.material_type == material
    assert parsed.accessibility_features == features


def test_audience_from_008_22():
    record = marc(Field(tag="008", data=f008(audience="j")), data("245", "00", "a", "X"))
    assert parsed_from_marc(record).audience == "children"


@needs_data
def test_the_vernacular_title_comes_from_the_linked_880():
    parsed = first("evergreen-datasets/hebrew.marc")
    assert parsed.title == "La-Torah vela-moʻadim"
    assert parsed.title_vernacular == "לתורה בלמועדים : רסיסי הגיונות"


@needs_data
def test_koha_952_becomes_a_copy():
    parsed = first("koha-testdata/zebraexport_biblio_exported_records.mrc")
    (item,) = parsed.items
    assert (item.barcode, item.branch_code, item.status) == ("TEST11111", "MPL", "available")
    assert str(item.acquired_on) == "2011-12-07"


def test_koha_item_status_price_and_collection():
    parsed = parsed_from_marc(
        marc(
            data("245", "00", "a", "X"),
            data("952", "  ", "a", "CPL", "p", "A1", "0", "1", "g", "Rp 45.000", "8", "REF"),
            data("952", "  ", "a", "CPL", "p", "A2", "1", "4", "c", "Rak anak", "o", "J 899 HIR l"),
            data("952", "  ", "a", "CPL", "p", "A3", "7", "-1", "e", "Hibah Bank Kaltim"),
            data("952", "  ", "a", "digital files not viewed; td12 2013-7-16"),
        )
    )
    first_item, second, third = parsed.items
    assert (first_item.status, first_item.price, first_item.collection) == (
        ItemStatus.WITHDRAWN,
        45000,
        Collection.REFERENCE,
    )
    assert (second.status, second.shelf_location, second.call_number) == (
        ItemStatus.MISSING,
        "Rak anak",
        "J 899 HIR l",
    )
    assert (third.status, third.source, third.donor) == (
        ItemStatus.IN_PROCESSING,
        "donation",
        "Hibah Bank Kaltim",
    )
    assert any("952 ignored" in warning for warning in parsed.warnings)


@needs_data
def test_unicorn_949_becomes_a_copy():
    item = first("evergreen-datasets/lul_fre_100.mrc").items[0]
    assert (item.barcode, item.branch_code, item.shelf_location, item.call_number) == (
        "30007004052170",
        "DESMARAIS",
        "DESM-CIR",
        "PS 9455 H68 S8",
    )


def test_an_852_location_statement_is_not_a_copy_but_one_with_a_barcode_is():
    statement = data("852", "  ", "a", "Library of Congress", "b", "Prints and Photographs")
    copy = data("852", "4 ", "a", "gaaagpl", "b", "BR1", "c", "Stacks", "p", "11223344")
    assert parsed_from_marc(marc(data("245", "00", "a", "X"), statement)).items == []
    (item,) = parsed_from_marc(marc(data("245", "00", "a", "X"), copy)).items
    assert (item.barcode, item.branch_code, item.shelf_location) == ("11223344", "BR1", "Stacks")


@needs_data
def test_marc8_is_decoded_as_pymarc_decodes_it():
    """pymarc's own fixture: marc8.dat decoded must equal marc8-to-unicode.dat."""
    with (DATA / "pymarc-testdata" / "marc8.dat").open("rb") as handle:
        ours = iso2709.decode(next(iso2709.chunks(handle)).data)
    with (DATA / "pymarc-testdata" / "marc8-to-unicode.dat").open("rb") as handle:
        expected = next(MARCReader(handle, to_unicode=True))
    assert ours.encoding == "marc-8"
    assert marc_dict(ours.record)["fields"] == expected.as_dict()["fields"]


@needs_data
def test_utf8_whose_leader_says_marc8_is_read_as_utf8():
    with (DATA / "pymarc-testdata" / "utf8_without_leader_flag.dat").open("rb") as handle:
        liar = iso2709.decode(next(iso2709.chunks(handle)).data)
    with (DATA / "pymarc-testdata" / "utf8_with_leader_flag.dat").open("rb") as handle:
        honest = iso2709.decode(next(iso2709.chunks(handle)).data)
    assert liar.encoding == "utf-8" and "leader/09" in liar.warnings[0]
    assert marc_dict(liar.record)["fields"] == marc_dict(honest.record)["fields"]


def test_iso2709_length_and_the_size_limit():
    record = marc(data("245", "00", "a", "Judul"), data("500", "  ", "a", "é" * 10))
    assert iso2709_length(record) == len(record.as_marc())
    assert marc_length_of(marc_dict(record)) == iso2709_length(record)
    assert fits_iso2709(record)
    record.fields.append(data("500", "  ", "a", "x" * 9_997))  # one field over 9,999 bytes
    assert not fits_iso2709(record)
    big = marc(*(data("500", "  ", "a", "x" * 5_000) for _ in range(21)))
    assert iso2709_length(big) > 99_999 and not fits_iso2709(big)


def test_record_from_dict_keeps_the_leader_as_it_was():
    original = marc(data("245", "00", "a", "X"), leader="01234cz  a2200289n  450 ")
    again = record_from_dict(marc_dict(original))
    assert str(again.leader) == "01234cz  a2200289n  450 "
    assert marc_dict(again) == marc_dict(original)


@pytest.mark.django_db
def test_a_record_catalogued_here_goes_to_marc_and_reads_back_the_same(make_user, library):
    cataloguer = make_user("katalog", roles={"cataloguer"})
    record = create_record(
        ParsedRecord(
            title="Laskar pelangi",
            subtitle="sebuah novel",
            responsibility="Andrea Hirata",
            title_vernacular="لسكر ڤلاڠي",
            contributors=[
                ParsedContributor("Hirata, Andrea", "author", "1967-"),
                ParsedContributor("Lee, Angie", "translator"),
            ],
            edition="Cet. 5",
            publisher="Bentang",
            place="Yogyakarta",
            year=2005,
            isbns=["979-3062-79-7"],
            language="ind",
            ddc="899.2213",
            call_number="899.2213 HIR l",
            subjects=["Belitung Island (Indonesia) -- Fiction"],
            series="Tetralogi laskar pelangi ; 1",
            physical_description="xxxiv, 529 p. ; 21 cm",
            notes="Novel.",
            summary="Sepuluh anak Belitung.",
            audience="teens",
            items=[ParsedItem(barcode="B1", shelf_location="Rak 3", price=59000)],
        ),
        by=cataloguer,
        default_branch=Branch.objects.get(code="pusat"),
    )
    again = parsed_from_marc(MARCReader(marc_from_record(record).as_marc()).__next__())
    for name in (
        "title",
        "subtitle",
        "responsibility",
        "title_vernacular",
        "edition",
        "publisher",
        "place",
        "year",
        "language",
        "ddc",
        "call_number",
        "series",
        "physical_description",
        "notes",
        "summary",
        "audience",
        "material_type",
    ):
        assert getattr(again, name) == getattr(record, name), name
    assert again.isbns == ["9789793062792"]
    assert [(c.name, c.role) for c in again.contributors] == [
        ("Hirata, Andrea", "author"),
        ("Lee, Angie", "translator"),
    ]
    assert again.subjects == ["Belitung Island (Indonesia) -- Fiction"]
    (item,) = again.items
    assert (item.barcode, item.branch_code, item.shelf_location, item.price) == (
        "B1",
        "pusat",
        "Rak 3",
        59000,
    )


@pytest.mark.django_db
def test_copies_added_to_an_imported_record_are_exported_with_its_original_fields(library):
    original = marc(
        Field(tag="001", data="k1"),
        data("245", "00", "a", "Some book"),
        data("952", "  ", "a", "pusat", "p", "K1"),
    )
    record = save_parsed_record(
        parsed_from_marc(original), default_branch=Branch.objects.get(code="pusat")
    ).record
    Item.objects.create(record=record, barcode="NEW1", branch=Branch.objects.get(code="cabang"))
    exported = marc_from_record(record)
    assert marc_dict(exported)["fields"][:3] == marc_dict(original)["fields"]
    assert [f["p"] for f in exported.get_fields("952")] == ["K1", "NEW1"]
