"""`pustaka ikm_import FILE --survey NAME` and `pustaka ikm_report --survey NAME --json`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from surveys.models import Response

pytestmark = pytest.mark.django_db

CSV = """U1,U2,U3,U4,U5,U6,U7,U8,U9,umur,jenis_kelamin,pendidikan,pekerjaan
4,3,3,4,3,4,4,3,3,25,Perempuan,S1,Pelajar/Mahasiswa
3,3,3,4,3,3,3,2,3,40,Laki-laki,SMA,Swasta
4,5,3,4,3,4,4,3,3,,,,
,4,4,4,4,4,4,,4,31,Laki-laki,,
"""


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_then_report(tmp_path, ikm_survey):
    path = tmp_path / "ikm.csv"
    path.write_text(CSV, encoding="utf-8")
    out, err = run("ikm_import", str(path), "--survey", ikm_survey.code)
    assert out.strip() == "imported: 3, rejected: 1"
    assert "row 4: U2 is “5”; it must be 1 to 4." in err
    assert Response.objects.count() == 3
    out, _err = run("ikm_report", "--survey", ikm_survey.title, "--json")
    report = json.loads(out)
    # By hand over rows 2, 3 and 5 (row 5 leaves U1 and U8 blank):
    # U1 (4+3)/2 = 3.5; U2 (3+3+4)/3 = 3.3333; U3 10/3; U4 12/3 = 4; U5 10/3; U6 11/3;
    # U7 11/3; U8 (3+2)/2 = 2.5; U9 10/3. Sum of NRR = 3.5 + 10/3 x 4 + 4 + 11/3 x 2 + 2.5
    # = 30.6667; index = 3.4074; IKM = 85.19 (B).
    assert report["elements"]["U1"] == 3.5
    assert report["elements"]["U8"] == 2.5
    assert report["elements"]["U2"] == 3.3333
    assert report["index"] == 3.4074
    assert report["ikm"] == 85.19
    assert report["category"] == "B"
    assert report["respondents"] == 3


def test_xlsx_and_a_bad_profile_value(tmp_path, ikm_survey):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["u1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9", "Pekerjaan"])
    sheet.append([4, 4, 4, 4, 4, 4, 4, 4, 4, "PNS"])
    sheet.append([4, 4, 4, 4, 4, 4, 4, 4, 4, "Astronaut"])
    sheet.append([2.5, 4, 4, 4, 4, 4, 4, 4, 4, None])
    path = tmp_path / "ikm.xlsx"
    book.save(path)
    out, err = run("ikm_import", str(path), "--survey", str(ikm_survey.pk))
    assert out.strip() == "imported: 1, rejected: 2"
    assert "row 3: pekerjaan" in err and "row 4: U1" in err


def test_unknown_survey(ikm_survey):
    with pytest.raises(CommandError):
        run("ikm_report", "--survey", "nope")


def test_import_in_the_browser(ikm_survey, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from core.tests.test_views import signed_in

    client = signed_in(coordinator)
    client.cookies["django_language"] = "en"
    upload = SimpleUploadedFile("ikm.csv", CSV.encode(), content_type="text/csv")
    response = client.post(
        reverse("surveys:staff-ikm-import", args=[ikm_survey.pk]), {"file": upload}, follow=True
    )
    html = response.content.decode()
    assert "3 responses imported." in html
    assert "Row 4 not counted: U2 is “5”; it must be 1 to 4." in html
    assert "85.19" in html


def test_survey_codes_are_safe_on_a_command_line_and_a_poster():
    from surveys.models import CODE_ALPHABET, new_code

    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(code) == 8 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("-_0O1lI") & set(CODE_ALPHABET)
