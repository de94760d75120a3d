"""APA citations of records (pure: no database)."""

from types import SimpleNamespace

from catalog.opac.citation import apa, person_name


def record(**fields):
    values = {
        "title": "Laskar pelangi",
        "subtitle": "",
        "year": 2005,
        "edition": "",
        "publisher": "",
    }
    values.update(fields)
    return SimpleNamespace(**values)


def test_inverted_names_become_family_name_and_initials():
    assert person_name("Hirata, Andrea", "author") == "Hirata, A."
    assert person_name("Ricklefs, M. C.", "author") == "Ricklefs, M. C."
    assert person_name("Sartre, Jean-Paul, 1905-1980", "author") == "Sartre, J.-P."
    # No comma: many Indonesian names have no family name; cited as written.
    assert person_name("Pramoedya Ananta Toer", "author") == "Pramoedya Ananta Toer"
    assert person_name("Indonesia. Departemen Pendidikan", "corporate") == (
        "Indonesia. Departemen Pendidikan"
    )


def test_one_two_and_three_authors():
    one = apa(record(publisher="Bentang Pustaka"), [("Hirata, Andrea", "author")])
    assert one.text == "Hirata, A. (2005). Laskar pelangi. Bentang Pustaka."
    assert str(one.html) == "Hirata, A. (2005). <i>Laskar pelangi</i>. Bentang Pustaka."
    two = apa(record(), [("Hirata, Andrea", "author"), ("Toer, Pramoedya", "author")])
    assert two.text.startswith("Hirata, A., & Toer, P. (2005).")
    three = apa(
        record(),
        [("Hirata, Andrea", "author"), ("Toer, Pramoedya", "author"), ("Dini, Nh.", "author")],
    )
    assert three.text.startswith("Hirata, A., Toer, P., & Dini, Nh. (2005).")  # kept as written


def test_editors_lead_when_there_is_no_author_and_the_title_when_neither():
    edited = apa(record(edition="Cet. 2."), [("Sutrisno, Budi", "editor")])
    assert edited.text == "Sutrisno, B. (Ed.). (2005). Laskar pelangi (Cet. 2)."
    anonymous = apa(record(year=None, subtitle="sebuah novel"), [])
    assert anonymous.text == "Laskar pelangi: sebuah novel. (n.d.)."
    assert str(anonymous.html).startswith("<i>Laskar pelangi: sebuah novel</i>")


def test_markup_in_a_title_is_escaped():
    cited = apa(record(title="<script>alert(1)</script>"), [])
    assert "<script>" not in str(cited.html)
