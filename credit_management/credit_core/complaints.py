"""Complaints and shared notes: the rules that need no database.

A complaint is *open* while it is new or being handled; an open complaint that pauses
follow-up makes its invoice disputed. Pausing follow-up is the credit team's decision: a
complaint raised by anyone else is recorded but waits for the credit team. Closing as resolved needs a root cause and a
resolution. Shared notes belong to the sales or the credit team, and writing one can
notify the other team.
"""

from datetime import datetime

OPEN_STATES = ("new", "in_progress")
CLOSED_STATES = ("resolved", "rejected")


def is_open(state: str) -> bool:
    """True while a complaint in ``state`` still waits for an answer."""
    return state in OPEN_STATES


def disputes_invoice(state: str, pause_followup: bool) -> bool:
    """True when a complaint in ``state`` keeps its invoice out of follow-ups and
    overdue holds: it is open and pauses follow-up."""
    return is_open(state) and bool(pause_followup)


def pauses_followup_when_raised(is_credit_staff: bool) -> bool:
    """Whether a new complaint pauses its invoice's follow-up (and so disputes it) from the
    start: when a member of the credit team raises it. Anyone else's complaint is recorded
    and waits for the credit team to accept the dispute."""
    return bool(is_credit_staff)


def awaits_credit_team(state: str, dispute_pending: bool) -> bool:
    """True while a complaint in ``state`` raised outside the credit team waits for the
    credit team to accept the dispute (pause follow-up) or keep chasing: it is open and
    nobody in the credit team has decided yet."""
    return is_open(state) and bool(dispute_pending)


def missing_for_resolution(root_cause: object, root_cause_detail: str | None, resolution: str | None) -> list[str]:
    """What a complaint still lacks to be closed as resolved: ``"root_cause"`` when it
    has neither a classified root cause nor a written one, ``"resolution"`` when the
    resolution is empty (blank text counts as empty)."""
    missing = []
    if not root_cause and not (root_cause_detail or "").strip():
        missing.append("root_cause")
    if not (resolution or "").strip():
        missing.append("resolution")
    return missing


def processing_days(opened: datetime | None, closed: datetime | None) -> float:
    """Days from ``opened`` to ``closed`` (fractions of a day included, rounded to two
    decimals); 0 while either is unknown, and never negative."""
    if not opened or not closed:
        return 0.0
    return round(max((closed - opened).total_seconds(), 0.0) / 86400.0, 2)


def note_team(is_credit_staff: bool) -> str:
    """The team a shared note is written by: ``"credit"`` for the credit team's members,
    ``"sales"`` for everyone else."""
    return "credit" if is_credit_staff else "sales"


def other_team(team: str) -> str:
    """The team a note of ``team`` notifies: sales notify credit and the reverse."""
    return "sales" if team == "credit" else "credit"


def notifies_by_default(note_type: str) -> bool:
    """Whether a new note of ``note_type`` notifies the other team unless told not to:
    risk alerts and opportunities do, information and payment arrangements do not."""
    return note_type in ("risk", "opportunity")
