"""A small catalogue, saved through the catalogue's services with on-commit callbacks run, so
the index follows it exactly as it does in production."""

from __future__ import annotations

import pytest

from catalog.records import ParsedContributor, ParsedItem, ParsedRecord


@pytest.fixture
def cataloguer(make_user, library):
    return make_user("katalog", roles={"cataloguer"})


@pytest.fixture
def add_record(cataloguer, django_capture_on_commit_callbacks):
    """add_record("Title", contributors=["Hirata, Andrea"], items=["pusat", "cabang"], ...)."""
    from catalog.services import save_parsed_record

    def factory(title: str, *, contributors=(), items=(), statuses=None, **fields):
        parsed = ParsedRecord(
            title=title,
            contributors=[ParsedContributor(name) for name in contributors],
            items=[
                ParsedItem(branch_code=code, status=(statuses or {}).get(index, ""))
                for index, code in enumerate(items)
            ],
            **fields,
        )
        with django_capture_on_commit_callbacks(execute=True):
            return save_parsed_record(parsed, by=cataloguer).record

    return factory


def sample_catalogue(add_record):
    """A handful of records covering the cases the tests name."""
    return {
        "bacaan": add_record(
            "Bacaan anak",
            contributors=["Sutrisno, Budi"],
            subjects=["Buku bacaan -- Anak-anak"],
            year=2019,
            language="ind",
            audience="children",
            items=["pusat", "pusat", "cabang"],
        ),
        "laskar": add_record(
            "Laskar pelangi",
            contributors=["Hirata, Andrea"],
            subjects=["Belitung Island (Indonesia) -- Fiction"],
            isbns=["979-3062-79-7"],
            series="Tetralogi laskar pelangi",
            year=2005,
            language="ind",
            items=["pusat"],
        ),
        "pemimpi": add_record(
            "Sang pemimpi",
            contributors=["Hirata, Andrea"],
            subjects=["Belitung Island (Indonesia) -- Fiction"],
            series="Tetralogi laskar pelangi",
            year=2006,
            language="ind",
            items=["cabang"],
        ),
        "menulis": add_record(
            "Menulis itu mudah",
            subtitle="panduan pendidikan menulis untuk guru",
            contributors=["Pramoedya Ananta Toer"],
            subjects=["Pendidikan -- Indonesia"],
            year=1998,
            language="ind",
            material_type="large_print",
            items=["cabang"],
        ),
        "history": add_record(
            "A history of Indonesia",
            contributors=["Ricklefs, M. C."],
            subjects=["Indonesia -- History"],
            notes="Includes bibliographical references about Laskar movements.",
            year=1981,
            language="eng",
        ),
    }


@pytest.fixture
def catalogue(add_record):
    return sample_catalogue(add_record)
