"""Template context for the plates panels that other pages show too (the hits table on the dashboard)."""

from django.urls import NoReverseMatch, reverse

from .choices import DismissReason, HitOutcome


def hit_panel_context() -> dict:
    """What a page showing the hits table (and hits.js) needs: the review choices and where incidents start."""
    try:
        incident_url = reverse("incidents:new")
    except NoReverseMatch:
        incident_url = ""
    return {
        "dismiss_reasons": DismissReason.choices,
        "outcomes": HitOutcome.choices,
        "hit_config": {"dismissReasons": DismissReason.choices, "incidentUrl": incident_url},
    }
