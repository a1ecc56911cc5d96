"""Reflex State classes: they call services and hold only what a page shows."""
