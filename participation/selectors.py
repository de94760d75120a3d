from __future__ import annotations

from django.db.models import Count, F, Max, Value
from django.db.models.functions import Coalesce, Lower, NullIf

from participation.models import Suggestion
from participation.states import SuggestionState


def suggestions_of(member):
    return Suggestion.objects.filter(member=member).select_related("record").order_by("-created_at")


def staff_suggestions(*, state: str = ""):
    qs = Suggestion.objects.select_related("member", "record")
    if state in SuggestionState.values:
        qs = qs.filter(state=state)
    return qs.order_by("created_at")


def most_suggested(limit: int = 20) -> list[dict]:
    """Titles by how many suggestions they have (same ISBN, or else the same title)."""
    return list(
        Suggestion.objects.annotate(key=Coalesce(NullIf(F("isbn"), Value("")), Lower("title")))
        .values("key")
        .annotate(count=Count("id"), title=Max("title"))
        .order_by("-count", "key")[:limit]
    )


def idea_board(*, sort: str = "votes"):
    """The public board: ideas with their count of visible comments, by votes or newest."""
    from django.db.models import Q

    from participation.models import Idea

    qs = Idea.objects.annotate(
        visible_comments=Count("comments", filter=Q(comments__is_hidden=False))
    )
    if sort == "votes":
        return qs.order_by("-votes_count", "-created_at", "-pk")
    return qs.order_by("-created_at", "-pk")


def ideas_voted_by(member, idea_ids) -> set[int]:
    from participation.models import Vote

    return set(
        Vote.objects.filter(member=member, idea_id__in=list(idea_ids)).values_list(
            "idea_id", flat=True
        )
    )


def visible_comments(idea):
    return idea.comments.filter(is_hidden=False).select_related("member").order_by("created_at")
