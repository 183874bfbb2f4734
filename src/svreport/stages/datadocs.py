"""Great Expectations Data Docs that display as intended with no network.

GX writes pages that load their styles and scripts from CDNs. ``make_offline`` copies the same files
(``datadocs_offline/``, the exact versions named) into the docs' ``static/vendor/`` and rewrites each
page to load them from there; the GX logo comes from the docs' own ``static/images/``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

ASSETS = Path(__file__).parent / "datadocs_offline"

# Each CDN address the pages load -> the copy in datadocs_offline/.
CDN_FILES = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper/popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table/extensions/filter-control/bootstrap-table-filter-control.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker/bootstrap-datepicker.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "bootstrap-dark/bootstrap-prefers-dark.css",
}
UNUSED_SCRIPTS = re.compile(r'<script src="https://cdn\.jsdelivr\.net/npm/vega[^"]*"></script>\n?')  # charts only
GX_LOGO = re.compile(r"https://great-expectations-web-assets\.s3\.[a-z0-9-]+\.amazonaws\.com/[^\"')?]+(\?[^\"')]*)?")
OWN_STATIC = re.compile(r'((?:src|href)=)"(?:\.\./)*static/')
SUBRESOURCE_CHECK = re.compile(r'\s+(integrity="[^"]*"|crossorigin="[^"]*")')  # for the CDN copies only


def _local(page: Path, target: Path) -> str:
    return Path(os.path.relpath(target, page.parent)).as_posix()


def make_offline(docs_dir: Path) -> None:
    """Copy the pages' CDN files into ``docs_dir/static/vendor/`` and point every page at them."""
    vendor = docs_dir / "static" / "vendor"
    if vendor.exists():
        shutil.rmtree(vendor)
    shutil.copytree(ASSETS, vendor, ignore=shutil.ignore_patterns("README.md"))
    logo = docs_dir / "static" / "images" / "logo-long.png"
    for page in sorted(docs_dir.rglob("*.html")):
        text = UNUSED_SCRIPTS.sub("", page.read_text(encoding="utf-8"))
        for url, file in CDN_FILES.items():
            local = _local(page, vendor / file)
            text = re.sub(rf'(<(?:script|link)[^>]*?)"{re.escape(url)}"([^>]*>)',
                          lambda m, local=local: SUBRESOURCE_CHECK.sub("", f'{m.group(1)}"{local}"{m.group(2)}'), text)
        text = GX_LOGO.sub(_local(page, logo), text)
        static = _local(page, docs_dir / "static")  # GX's own favicon path is one level short on deep pages
        text = OWN_STATIC.sub(lambda m, static=static: f'{m.group(1)}"{static}/', text)
        page.write_text(text, encoding="utf-8")
