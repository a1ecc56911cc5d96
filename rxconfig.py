"""Reflex configuration. Values come from payapp.settings, the only reader of the environment.

Reflex itself still honours ``REFLEX_<FIELD>`` variables (``REFLEX_FRONTEND_PORT``,
``REFLEX_BACKEND_PORT``, ...) on top of what is set here.
"""

import reflex as rx

from payapp.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="payapp",
    # No db_url: payapp's database belongs to payapp.db and alembic (migrations run by
    # `make run` / `python -m payapp.seed`); Reflex's own schema check does not know the
    # PostgreSQL-only indexes and would ask for a bogus "reflex db makemigrations".
    # Reflex keeps page state in this process unless a Redis URL is given; several backend
    # workers (prod with Redis) must share it there.
    redis_url=settings.reflex_redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # The theme lives here: App(theme=...) is deprecated since Reflex 0.9 (removed in 1.0).
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(appearance="light", accent_color="blue"))],
    # The sitemap needs a public deploy_url to mean anything; the shop has no use for it.
    disable_plugins=[rx.plugins.SitemapPlugin],
)
