"""The closed vocabularies of SPEC §2–§4, in one place."""
from __future__ import annotations

LABELS = ("ORG", "MONEY", "QUANTITY", "ACTIVITY", "LOC", "DATE")
#: labels matched by exact (start, end, label) in scoring; ACTIVITY is matched leniently
STRICT_LABELS = ("ORG", "MONEY", "QUANTITY", "LOC", "DATE")
CATEGORIES = (
    "TRAINING", "MANAGEMENT", "TECHNOLOGY", "PRODUCT", "COMMUNICATION", "CONSULTING",
    "COOPERATION", "CLEANER_PRODUCTION", "ENVIRONMENT", "PROGRAM_MANAGEMENT", "INTERNATIONAL", "GENERAL",
)
ROLES = ("total", "national", "local", "support", "counterpart", "income", "other")
QUALIFIERS = (None, "over", "under", "about")
#: relation label → the label its tail must have
RELATION_TAILS = {"FUNDING": "MONEY", "OUTPUT": "QUANTITY", "PARTICIPANT": "ORG", "TIME": "DATE", "PLACE": "LOC"}
#: relation label → the key of the argument list in an event
EVENT_KEYS = {"FUNDING": "funding", "OUTPUT": "outputs", "PARTICIPANT": "participants", "TIME": "times", "PLACE": "places"}
