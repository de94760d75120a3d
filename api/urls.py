"""The REST API: one NinjaAPI, one router per domain. Errors always answer as ErrorOut."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from api.account import account_router
from api.catalog import catalog_router
from api.conversations import questions_router
from api.events import events_router
from api.participation import ideas_router, suggestions_router
from api.routers import auth_router, library_router
from api.surveys import surveys_router
from spaces.api import spaces_router

api = NinjaAPI(
    title="Pustaka API",
    version="1",
    description=(
        "The REST API of a Pustaka library: the same rules as the desk and the web site. "
        "Authenticate with a bearer token from POST /api/auth/token. Errors answer with "
        "`{code, message, errors}`; `message` is in the user's language."
    ),
    urls_namespace="api",
)
api.add_router("/auth", auth_router)
api.add_router("/", library_router)
api.add_router("/catalog", catalog_router)
api.add_router("/account", account_router)
api.add_router("/spaces", spaces_router)
api.add_router("/events", events_router)
api.add_router("/surveys", surveys_router)
api.add_router("/questions", questions_router)
api.add_router("/suggestions", suggestions_router)
api.add_router("/ideas", ideas_router)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request,
        {"code": "unauthorized", "message": _("A valid API token is needed for this.")},
        status=401,
    )


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError):
    errors = [
        {"where": ".".join(str(part) for part in error.get("loc", ())), "problem": error.get("msg")}
        for error in exc.errors
    ]
    return api.create_response(
        request,
        {
            "code": "invalid_input",
            "message": _("Some of the input is not valid."),
            "errors": errors,
        },
        status=422,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    if exc.status_code == 400:
        message = _("The request body could not be read: send JSON.")
        code = "unreadable_body"
    else:
        message, code = str(exc), f"http_{exc.status_code}"
    return api.create_response(request, {"code": code, "message": message}, status=exc.status_code)
