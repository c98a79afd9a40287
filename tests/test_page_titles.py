"""One name for the site: every page's <title> is "page — brand", and the brand is the same
name in the title, the top bar, the footer and the administration."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import loader
from django.template.loader_tags import BlockNode, ExtendsNode
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

BRAND = "政务新媒体矩阵备案与治理平台"
EXTENDS = re.compile(r"""{%\s*extends\s+["']([^"']+)["']\s*%}""")
TITLE = re.compile(rf"<title>\s*(\S.*?) — {BRAND}\s*</title>", re.S)


def _page_templates() -> list[str]:
    """Every template of ours that is a whole page: partials are named _*, and a template other
    templates extend (frame.html, base.html, list_page.html) is the frame of pages, not one."""
    names, bases = [], set()
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(directory).rglob("*.html"):
            name = path.relative_to(directory).as_posix()
            bases.update(EXTENDS.findall(path.read_text()))
            if not path.name.startswith("_"):
                names.append(name)
    assert {"frame.html", "base.html"} <= bases
    return sorted(set(names) - bases)


def _blocks(name: str) -> tuple[list[str], dict[str, BlockNode]]:
    """The template's chain of parents, and the blocks it defines or inherits (the nearest wins)."""
    chain, blocks = [], {}
    while True:
        chain.append(name)
        nodelist = loader.get_template(name).template.nodelist
        extends = next((node for node in nodelist if isinstance(node, ExtendsNode)), None)
        found = (
            extends.blocks if extends else {node.name: node for node in nodelist.get_nodes_by_type(BlockNode)}
        )
        for block, node in found.items():
            blocks.setdefault(block, node)
        if extends is None or extends.parent_name.var == name:
            return chain, blocks
        name = extends.parent_name.var.strip("'\"")


def test_it_gives_every_page_of_the_site_a_title_of_its_own():
    pages = [name for name in _page_templates() if "frame.html" in _blocks(name)[0]]
    assert len(pages) > 40 and "500.html" in pages and "404.html" in pages
    for name in pages:
        title = _blocks(name)[1]["title"]
        assert "".join(str(node) for node in title.nodelist).strip(), f"{name} has no title of its own"


def _page_urls() -> list[str]:
    """The site's pages that take no argument (the API, the administration and files aside)."""
    urls = []

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace is None:
                    walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.regex.groups:
                url = reverse(pattern.name)
                if not url.startswith(("/api/", "/healthz", "/i18n/")) and "." not in url:
                    urls.append(url)

    walk(get_resolver().url_patterns)
    return urls


@pytest.mark.parametrize("persona", ["office_admin", "admin_a"])
def test_it_titles_every_page_page_then_brand(client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    seen = 0
    for url in _page_urls():
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        assert TITLE.search(html), (url, re.search(r"<title>(.*?)</title>", html, re.S).group(1))
        assert f'<a class="brand" href="/">{BRAND}</a>' in html, url
        assert f'<footer class="footer">{BRAND} · ' in html, url
        seen += 1
    assert seen > 15


def test_it_titles_the_sign_in_page_and_the_administration_the_same_way(client_for, office_admin):
    assert TITLE.search(client_for().get(reverse("login")).content.decode())
    html = client_for(office_admin).get("/admin/").content.decode()
    assert TITLE.search(html) and f">{BRAND}</a>" in html and "Django" not in html
