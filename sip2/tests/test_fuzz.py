"""Fuzzing the whole ACS (parser and handlers, with the database): no input raises, every input
gets a reply ending in CR, and a kiosk's session survives whatever it was sent."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sip2 import acs
from sip2.protocol import REQUEST_FIXED_LENGTH

pytestmark = pytest.mark.django_db

FIELD_IDS = ["AO", "AA", "AB", "AC", "AD", "AJ", "AP", "BP", "BQ", "BO", "BI", "BS", "BV", "AL"]
field = st.tuples(st.sampled_from(FIELD_IDS), st.text(max_size=12)).map(lambda p: p[0] + p[1])
frame = st.builds(
    lambda code, fixed, fields, tail: code + fixed + "|".join(fields) + tail,
    st.sampled_from(sorted(set(REQUEST_FIXED_LENGTH) - {"93"})),
    st.text(alphabet="0123456789 YN+-*", max_size=40),
    st.lists(field, max_size=6),
    st.sampled_from(["", "|", "AY1AZ0000", "|AY5", "AZ", "||"]),
)


@pytest.fixture
def session(account, item, pin_member):
    from core.selectors import get_library

    session = acs.Session(zone=get_library().zone)
    assert acs.respond(session, b"9300CNkiosk|COkiosk|") == b"941\r"
    return session


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # noqa: E501
@given(data=st.one_of(frame, st.text(max_size=80)))
def test_any_text_gets_a_reply(session, caplog, data):
    reply = acs.respond(session, data.replace("\r", "").replace("\n", "").encode())
    assert reply.endswith(b"\r") and len(reply) >= 3
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert not errors, errors[0].getMessage() + str(errors[0].exc_info)
    session.close = False  # a 93 with a bad password closes; go on for the next example
    if session.account is None:
        assert acs.respond(session, b"9300CNkiosk|COkiosk|") == b"941\r"


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # noqa: E501
@given(data=st.binary(max_size=120))
def test_any_bytes_get_a_reply(session, data):
    reply = acs.respond(session, data.replace(b"\r", b"").replace(b"\n", b""))
    assert reply.endswith(b"\r")
