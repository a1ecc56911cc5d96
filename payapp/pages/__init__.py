"""Reflex pages: one module per page, each a component function (plus its state beside it)."""

from payapp.pages.index import index_page

__all__ = ["index_page"]
