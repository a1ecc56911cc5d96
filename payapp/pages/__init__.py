"""Reflex pages: one module per area, each page a component function; state lives in payapp/state."""
