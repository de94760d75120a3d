"""Bearer-token authentication for the REST API (`Authorization: Bearer pus_…`)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from accounts.selectors import get_valid_api_token
from accounts.services import note_api_token_use


class TokenAuth(HttpBearer):
    openapi_description = (
        "A token from POST /api/auth/token, sent as `Authorization: Bearer <token>`."
    )

    def authenticate(self, request: HttpRequest, token: str):
        found = get_valid_api_token(token)
        if found is None:
            return None
        note_api_token_use(found)
        request.user = found.user
        request.api_token = found
        return found.user


token_auth = TokenAuth()
