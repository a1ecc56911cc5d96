"""The Reflex app: the FastAPI API mounted beside the pages, and every page wired in one list."""

import reflex as rx

from payapp import routes
from payapp.api.app import create_api
from payapp.pages import index_page
from payapp.pages.index import TITLE as INDEX_TITLE

# The theme is set in rxconfig.py (RadixThemesPlugin): App(theme=...) is deprecated.
app = rx.App(api_transformer=create_api())

# (page, route, title, on_load): add a page here and nowhere else.
PAGES = [
    (index_page, routes.INDEX, INDEX_TITLE, None),
]

for page, route, title, on_load in PAGES:
    app.add_page(page, route=route, title=title, on_load=on_load)
