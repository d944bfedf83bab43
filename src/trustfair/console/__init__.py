"""The review console: server-rendered pages (Jinja2 + htmx, no front-end build) under
/console for reviewers, operators, auditors and the merchants they govern.

``mount(app)`` adds it to the API application. The pages call the use cases
(``cases.work``, ``read.entities``, ``enforce.appeals``) directly; ``web`` holds what
every page shares (who is looking, the language, rendering, security headers) and
``i18n`` the words in Chinese and English.
"""

from trustfair.console.routes import mount

__all__ = ["mount"]
