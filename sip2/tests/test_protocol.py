"""The frame parser and formatter, with the cases of shared/protocols/sip2-cases.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sip2 import protocol
from sip2.protocol import ChecksumError, FrameError, checksum, parse, split_frames

VECTORS = Path(__file__).resolve().parents[3] / "shared/data/sip2-checksum-vectors"
DATE = "20261123    100000"


def signed(text: str, encoding: str = "utf-8") -> str:
    return text + checksum(text.encode(encoding))


def vectors():
    path = VECTORS / "evergreen_sipserver_checksum_vectors.tsv"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [tuple(line.split("\t", 1)) for line in lines if line.strip()]


@pytest.mark.parametrize(("expected", "message"), vectors())
def test_checksum_matches_evergreen_vectors_over_utf8_bytes(expected, message):
    assert checksum(message.encode("utf-8")) == expected


def test_checksum_vectors_are_present():
    assert len(vectors()) == 19


def test_login_as_the_sip2_client_sends_it():
    request = parse("9300CNterm1|COsecret|CPMAIN|AY0AZF511")
    assert request.code == "93"
    assert request.get("CN") == "term1" and request.get("CO") == "secret"
    assert request.sequence == "0" and request.checksum == "F511"


def test_status_request():
    request = parse("9900802.00AY1AZFCA0")
    assert request.fixed == "00802.00" and request.sequence == "1"


def test_bad_checksum_raises():
    with pytest.raises(ChecksumError):
        parse("9900802.00AY1AZFCA1")


def test_checksum_not_verified_when_policy_is_off():
    assert parse("9900802.00AY1AZFCA1", verify=False).code == "99"


def test_lower_case_checksum_and_field_ids():
    text = signed(f"63000{DATE}          ao TEST|aa123|AY2AZ").lower()
    # the checksum was computed over the upper-case text: recompute over what is sent
    text = text[:-4] + checksum(text[:-4].encode()).lower()
    request = parse(text)
    assert request.get("AA") == "123"
    assert request.get("AO") == "test"


def test_three_digit_checksum_from_the_sip2_client():
    # The sip2 client formats with '%X': a sum whose complement is below 0x1000 gives 3 digits.
    base = f"11NN{DATE}{' ' * 18}AOX|AA1|AB2|AY3AZ"
    padding = ""
    while True:
        text = base.replace("AOX", "AOX" + padding)
        value = (-sum(text.encode())) & 0xFFFF
        if value < 0x1000:
            break
        padding += "~"
    request = parse(text + f"{value:X}")
    assert len(request.checksum) == 3
    assert request.get("AB") == "2"


def test_missing_checksum_is_accepted():
    request = parse(f"17{DATE}AOLIB|ABbc001|")
    assert request.checksum is None and request.get("AB") == "bc001"


def test_sequence_without_checksum():
    request = parse(f"17{DATE}AOLIB|ABbc001|AY4")
    assert request.sequence == "4" and request.checksum is None
    assert "AY" not in request.fields


@pytest.mark.parametrize(
    "variable",
    [
        "AOLIB|AA|AB|",  # empty fields
        "AOLIB||AA||AB||",  # double delimiters
        "AOLIB|||||",  # runs of delimiters
        "AOLIB|AA123|ABbc",  # missing final delimiter
        "AOLIB|AA123|ABbc|AD|",  # trailing empty field
        "AOLIB|ZZunknown|AA123|",  # unknown field
    ],
)
def test_sloppy_delimiters_parse_without_error(variable):
    request = parse(f"11NN{DATE}{' ' * 18}{variable}")
    assert request.code == "11"
    assert all(isinstance(value, list) for value in request.fields.values())
    assert "ZZ" not in request.fields or request.fields["ZZ"] == ["unknown"]


def test_empty_identifiers_are_empty_strings():
    request = parse(f"11NN{DATE}{' ' * 18}AOLIB|AA|AB|")
    assert request.get("AA") == "" and request.get("AB") == ""


def test_whitespace_around_values_is_removed_but_not_from_passwords():
    request = parse(f"63000{DATE}          AO LIB |AA 123 |AD 12 34|")
    assert request.get("AA") == "123" and request.get("AD") == " 12 34"


def test_hold_with_a_delimiter_straight_after_the_date():
    # invenio-sip2 fixture: `15+20201013    093158|AO…`
    request = parse("15+20201013    093158|AOinst|AA123|ABbc|")
    assert request.fixed_at(0, 1) == "+"
    assert request.get("AO") == "inst" and request.get("AB") == "bc"


def test_renew_with_a_17_character_due_date():
    request = parse("29NN20201013    09315820201013    09315|AOinst|AA123|ABbc|")
    assert request.get("AO") == "inst" and request.get("AA") == "123"


def test_renew_all_without_a_transaction_date():
    # The sip2 client's 65 omits the mandatory date.
    request = parse(signed("65AOTEST|AA2352|AD1234|BON|AY7AZ"))
    assert request.get("AO") == "TEST" and request.get("AA") == "2352"
    assert request.fixed.strip() == ""


def test_short_fixed_part():
    request = parse("2300020261123AOX|AA1|")
    assert request.get("AA") == "1"


@pytest.mark.parametrize("text", ["", "  ", "X", "ab123", "\x16\x03\x01\x02", "5", "42hello"])
def test_garbage_is_a_frame_error(text):
    with pytest.raises(FrameError):
        parse(text)


def test_summary_positions_beyond_the_sixth():
    for position in range(10):
        summary = [" "] * 10
        summary[position] = "Y"
        request = parse(f"63000{DATE}{''.join(summary)}AOX|AA1|")
        assert request.fixed[21:31] == "".join(summary)


def test_split_frames_cr_lf_and_crlf():
    frames, rest = split_frames(b"9900802.00\r9900802.00\n9900802.00\r\n17x")
    assert frames == [b"9900802.00"] * 3
    assert rest == b"17x"


def test_format_reply_with_trailer_verifies():
    data = protocol.format_reply("94", "1", [], sequence="0", with_checksum=True)
    assert data == b"941AY0AZFDFD\r"  # the CASSIE example in Evergreen's vectors


def test_format_reply_sanitises_values():
    data = protocol.format_reply("18", "", [("AJ", "a|b\rc")])
    assert data == b"18AJa/b c|\r"


def test_format_reply_in_cp850():
    data = protocol.format_reply("18", "", [("AJ", "Piège")], sequence="1", encoding="cp850")
    text = data[:-1]
    assert "Piège".encode("cp850") in text
    assert (sum(text[:-4]) + int(text[-4:], 16)) & 0xFFFF == 0


def test_checksum_summed_over_characters_is_accepted():
    # The sip2 client sums code points, not bytes: a non-ASCII PIN or name then differs.
    text = f"63000{DATE}          AOX|AA1|AEJosé|AY1AZ"
    value = (-sum(ord(c) for c in text)) & 0xFFFF
    assert parse(text + f"{value:04X}").get("AE") == "José"


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_bytes_never_crash_the_parser(data):
    for frame in split_frames(data + b"\r")[0]:
        try:
            parse(frame.decode("utf-8", errors="replace"))
        except FrameError:
            pass


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(protocol.REQUEST_FIXED_LENGTH)),
    st.text(alphabet=st.characters(blacklist_characters="\r\n"), max_size=120),
)
def test_fuzz_text_after_a_valid_code(code, rest):
    try:
        request = parse(code + rest)
    except FrameError:
        return
    assert request.code == code
    assert len(request.fixed) == protocol.REQUEST_FIXED_LENGTH[code]


def test_control_characters_never_reach_a_field():
    """A NUL from a noisy line is no part of a barcode (and PostgreSQL refuses it in text)."""
    request = parse("2300120261122    093000AOpusat|AAA00\x0000001|AB\x07123|", verify=False)
    assert request.get("AA") == "A0000001" and request.get("AB") == "123"
