"""Reusable Reflex components (no state of their own beyond what they are given)."""
