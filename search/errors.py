from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class QueryError(DomainError):
    """A search that cannot be run as typed."""


class QueryTooLongError(QueryError):
    code = "query_too_long"
    message = _(
        "Your search is %(length)s characters long; a search may have at most %(limit)s. "
        "Use a few words from the title, an author or a subject."
    )


class NothingToSearchError(QueryError):
    code = "query_has_no_words"
    message = _(
        "Your search has no letters or numbers to look for. Type a word from the title, an "
        "author, a subject or an ISBN."
    )
