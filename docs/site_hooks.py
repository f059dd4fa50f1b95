"""mkdocs hooks (mkdocs.yml's ``hooks:``): the built site needs no network.

Material's offline plugin loads a small shim, which lets search run from
file://, from unpkg.com. A classroom may have no internet, so the pages load
the copy in docs/assets/javascripts/ instead.

>>> shim_path("reference/progress.html")
'../assets/javascripts/iframe-worker-shim.js'
"""

from __future__ import annotations

from typing import Any

ONLINE_SHIM = "https://unpkg.com/iframe-worker/shim"


def shim_path(page_url: str) -> str:
    """The local shim, relative to a page at ``page_url`` in the site."""
    return "../" * page_url.count("/") + "assets/javascripts/iframe-worker-shim.js"


def on_post_page(output: str, page: Any, config: Any) -> str:
    return output.replace(ONLINE_SHIM, shim_path(page.url))


def on_post_template(output_content: str, template_name: str, config: Any) -> str:
    # 404.html is rendered as a template, at the site's root
    return output_content.replace(ONLINE_SHIM, shim_path(template_name))
