"""Every MARC file under shared/data imports with every record accounted for: imported + bad
equals the count its README lists, broken files are reported (never a crash) and a bad
record leaves nothing behind."""

from pathlib import Path

import pytest
from django.conf import settings

from catalog.importing.readers import RecordProblem, read_file
from catalog.importing.services import import_path
from catalog.models import Item, Record, RecordContributor, RecordIdentifier

DATA = Path(settings.BASE_DIR).parent / "shared" / "data"

# file -> (records its README lists, imported, bad). The README counts are the acceptance
# figures; imported/bad are what Pustaka makes of them (reasons in test_import_readers).
ACCOUNTS = {
    "evergreen-datasets/FSL.marc": (52, 52, 0),
    "evergreen-datasets/RDA/RDA_record_CD_Claudia.mrc": (1, 1, 0),
    "evergreen-datasets/RDA/RDA_record_DVD-BLUE-RAY-MOVIE_Pineapple_express.mrc": (1, 1, 0),
    "evergreen-datasets/RDA/RDA_record_DVD_Jorge_Mautner.mrc": (1, 1, 0),
    "evergreen-datasets/RDA/RDA_record_MAP_2012_Enchanted_Circle.mrc": (1, 1, 0),
    "evergreen-datasets/RDA/RDA_record_PHOTO_Srid_pa_ho.mrc": (1, 1, 0),
    "evergreen-datasets/RDA/RDA_record_SCORE-CD_Arias_for_soprano.mrc": (1, 1, 0),
    "evergreen-datasets/RDA/RDA_record_SCORE_Arias_for_bass.mrc": (1, 1, 0),
    "evergreen-datasets/RDA/RDA_record_SCORE_Intermediate_studies.mrc": (1, 1, 0),
    "evergreen-datasets/RDA/RDA_record_SCORE_Wiegenlied.mrc": (1, 1, 0),
    "evergreen-datasets/RDA/RDA_record_SERIAL_IEEE_International_conference.mrc": (1, 1, 0),
    "evergreen-datasets/auth-1066.mrc": (1066, 0, 1066),
    "evergreen-datasets/auth-subset100.mrc": (17, 0, 17),
    "evergreen-datasets/badisbns.xml": (10, 10, 0),
    "evergreen-datasets/hebrew.marc": (20, 20, 0),
    "evergreen-datasets/lul_fre_100.mrc": (100, 100, 0),
    "evergreen-datasets/lul_fre_500.mrc": (500, 500, 0),
    "evergreen-datasets/map_data.mrc": (3, 3, 0),
    "evergreen-datasets/nepali.marc": (96, 96, 0),
    "evergreen-datasets/oss.marc": (42, 41, 1),
    "evergreen-datasets/sample_acq_order.mrc": (10, 10, 0),
    "evergreen-datasets/serials_marc21.xml": (7, 7, 0),
    "evergreen-datasets/serials_mfhd.xml": (7, 0, 7),
    "koha-sample-db/koha_sample_biblios.marcxml": (435, 435, 0),
    "koha-testdata/marc21_marc8.dat": (1, 1, 0),
    "koha-testdata/marc21_marc8_combining_chars.dat": (1, 1, 0),
    "koha-testdata/marc21_marc8_errors.dat": (1, 0, 1),
    "koha-testdata/marc21_utf8.dat": (1, 1, 0),
    "koha-testdata/marc21_utf8_combining_chars.dat": (1, 1, 0),
    "koha-testdata/marc21record.mrc": (1, 1, 0),
    "koha-testdata/marcxml_utf8.xml": (1, 1, 0),
    "koha-testdata/marcxml_utf8_entityencoded.xml": (1, 1, 0),
    "koha-testdata/zebraexport_authority_exported_records.mrc": (1, 0, 1),
    "koha-testdata/zebraexport_biblio_exported_records.mrc": (179, 178, 1),
    "koha-testdata/zebraexport_large_biblio_dom_exported_records.xml": (1, 1, 0),
    "loc-booksall-2016/BooksAll.2016.part01.records-000001-006000.utf8.mrc": (6000, 6000, 0),
    "loc-indonesian-2016/BooksAll.2016.part01.ind-may.shared.utf8.mrc": (1876, 1876, 0),
    "pymarc-testdata/1251.dat": (6, 0, 6),
    "pymarc-testdata/alphatag.dat": (1, 1, 0),
    "pymarc-testdata/bad_eacc_encoding.dat": (1, 0, 1),
    "pymarc-testdata/bad_indicator.dat": (1, 1, 0),
    "pymarc-testdata/bad_marc8_escape.dat": (1, 1, 0),
    "pymarc-testdata/bad_records.mrc": (9, 2, 7),
    "pymarc-testdata/bad_subfield_code.dat": (1, 1, 0),
    "pymarc-testdata/bad_tag.xml": (1, 0, 1),
    "pymarc-testdata/batch.xml": (2, 2, 0),
    "pymarc-testdata/diacritic.dat": (1, 1, 0),
    "pymarc-testdata/marc.dat": (20, 20, 0),
    "pymarc-testdata/marc8-to-unicode.dat": (1, 1, 0),
    "pymarc-testdata/marc8.dat": (1, 1, 0),
    "pymarc-testdata/multi_isbn.dat": (1, 1, 0),
    "pymarc-testdata/one.dat": (1, 1, 0),
    "pymarc-testdata/regression45.dat": (12, 12, 0),
    "pymarc-testdata/test.dat": (10, 10, 0),
    "pymarc-testdata/testunimarc.dat": (1, 0, 1),
    "pymarc-testdata/utf8.xml": (1, 1, 0),
    "pymarc-testdata/utf8_errors.dat": (1, 1, 0),
    "pymarc-testdata/utf8_invalid.mrc": (1, 1, 0),
    "pymarc-testdata/utf8_with_leader_flag.dat": (1, 1, 0),
    "pymarc-testdata/utf8_without_leader_flag.dat": (1, 1, 0),
}
# Imported (and so read) once, in the round trip of test_export.
LARGE = {"loc-booksall-2016/BooksAll.2016.part01.records-000001-006000.utf8.mrc"}
MARC_SUFFIXES = {".mrc", ".marc", ".dat", ".xml", ".marcxml"}

pytestmark = pytest.mark.skipif(not DATA.exists(), reason="shared/data is not here")


def test_every_marc_file_in_the_data_is_in_the_table():
    found = {
        str(path.relative_to(DATA))
        for path in DATA.rglob("*")
        if path.suffix in MARC_SUFFIXES and path.is_file()
    }
    assert found == set(ACCOUNTS)


@pytest.mark.parametrize("name", sorted(set(ACCOUNTS) - LARGE))
def test_reading_accounts_for_every_record(name):
    listed, imported, bad = ACCOUNTS[name]
    entries = list(read_file(DATA / name, _format(name)))
    problems = [entry for _position, entry in entries if isinstance(entry, RecordProblem)]
    assert len(entries) == listed
    assert [position for position, _entry in entries] == list(range(1, listed + 1))
    assert all(problem.reason for problem in problems)
    if name != "koha-testdata/zebraexport_biblio_exported_records.mrc":  # one bad at saving
        assert len(problems) == bad


def _format(name: str) -> str:
    return "marcxml" if name.endswith((".xml", ".marcxml")) else "marc21"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(set(ACCOUNTS) - LARGE))
def test_importing_accounts_for_every_record_and_leaves_no_half_records(name, library):
    listed, imported, bad = ACCOUNTS[name]
    report = import_path(DATA / name, policy="add")
    assert report.error == ""
    assert (report.counts.imported, report.counts.bad) == (imported, bad)
    assert report.counts.imported + report.counts.bad == listed
    assert Record.objects.count() == imported
    assert Item.objects.count() == report.counts.items
    assert not RecordIdentifier.objects.exclude(record__in=Record.objects.all()).exists()
    assert not RecordContributor.objects.exclude(record__in=Record.objects.all()).exists()
