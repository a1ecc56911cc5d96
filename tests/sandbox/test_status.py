"""The sandbox's status changes follow one table, Toss's flowcharts (toss-api.md §3.1)."""

from __future__ import annotations

import pytest

from payapp.sandbox.status import TRANSITIONS, IllegalTransition, can_move, move


@pytest.mark.parametrize(
    ("current", "to"),
    [
        ("READY", "IN_PROGRESS"),
        ("READY", "EXPIRED"),
        ("IN_PROGRESS", "DONE"),
        ("IN_PROGRESS", "ABORTED"),
        ("IN_PROGRESS", "EXPIRED"),
        ("IN_PROGRESS", "WAITING_FOR_DEPOSIT"),
        ("WAITING_FOR_DEPOSIT", "DONE"),
        ("WAITING_FOR_DEPOSIT", "CANCELED"),
        ("DONE", "PARTIAL_CANCELED"),
        ("DONE", "CANCELED"),
        ("PARTIAL_CANCELED", "PARTIAL_CANCELED"),
        ("PARTIAL_CANCELED", "CANCELED"),
        (None, "READY"),
        (None, "DONE"),
    ],
)
def test_tosss_transitions_are_allowed(current, to):
    p = {"status": current}
    move(p, to)
    assert p["status"] == to and can_move(current, to)


@pytest.mark.parametrize(
    ("current", "to"),
    [
        ("READY", "ABORTED"),  # a refusal in the window is not ABORTED: only a refused confirm is
        ("READY", "DONE"),
        ("WAITING_FOR_DEPOSIT", "PARTIAL_CANCELED"),
        ("WAITING_FOR_DEPOSIT", "EXPIRED"),
        ("ABORTED", "DONE"),
        ("EXPIRED", "IN_PROGRESS"),
        ("CANCELED", "DONE"),
        ("DONE", "ABORTED"),
    ],
)
def test_anything_else_is_a_bug(current, to):
    p = {"status": current}
    with pytest.raises(IllegalTransition):
        move(p, to)
    assert p["status"] == current and not can_move(current, to)


def test_final_statuses_lead_nowhere():
    assert [s for s, nxt in TRANSITIONS.items() if not nxt] == ["ABORTED", "EXPIRED", "CANCELED"]
