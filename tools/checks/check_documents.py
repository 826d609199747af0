#!/usr/bin/env python3
"""Check the documents a running Clinicpress serves for other programs.

Run by scripts/check-documents.sh against the demo server (and a clinic with
no posts at all). Every check fails loudly with what was wrong and where:

* RSS 2.0, Atom and JSON Feed 1.1, for each clinic and for its categories and
  tags, parse in feedparser (the library most feed readers' back ends use)
  with no errors, and carry what readers need: titles, absolute links,
  dates, authors, full content;
* every sitemap (and sitemap index part) validates against the sitemaps.org
  protocol's rules (tools/checks/sitemap.xsd), robots.txt points at it;
* the JSON-LD on public pages parses and has the properties rich results
  need for its type (BlogPosting, BreadcrumbList, MedicalClinic, ...);
* /api/openapi.json is a valid OpenAPI 3.1 document.

    check_documents.py BASE_URL HOST [HOST...]

BASE_URL is where the server listens (http://127.0.0.1:3100); each HOST is a
clinic's host name, sent as the Host header (pmc.localhost:3100).
"""

from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import xmlschema
from openapi_spec_validator import validate as validate_openapi

HERE = Path(__file__).resolve().parent
SITEMAP_SCHEMA = xmlschema.XMLSchema(str(HERE / "sitemap.xsd"))

failures: list[str] = []
checked = 0


def fail(where: str, what: str) -> None:
    failures.append(f"{where}: {what}")


def ok(cond: bool, where: str, what: str) -> bool:
    global checked
    checked += 1
    if not cond:
        fail(where, what)
    return cond


class Client:
    """GET requests to the server, addressed to one clinic by its Host header."""

    def __init__(self, base: str, host: str) -> None:
        self.base = base.rstrip("/")
        self.host = host

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        req = urllib.request.Request(self.base + path, headers={"Host": self.host})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()

    def path_of(self, url: str) -> str:
        """The path (and query) of an absolute URL the server gave out for this clinic."""
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def json(self, path: str):
        status, _, body = self.get(path)
        if status != 200:
            fail(f"{self.host}{path}", f"answered {status}")
            return None
        return json.loads(body)


def absolute(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).netloc)


# ---------------------------------------------------------------------------
# Feeds
# ---------------------------------------------------------------------------


def check_xml_feed(c: Client, path: str, version: str, want_entries: bool) -> None:
    where = f"{c.host}{path}"
    status, headers, body = c.get(path)
    if not ok(status == 200, where, f"answered {status}"):
        return
    ok("xml" in headers.get("content-type", ""), where, f"content type {headers.get('content-type')}")
    parsed = feedparser.parse(body)
    ok(not parsed.bozo, where, f"feedparser: {parsed.get('bozo_exception')!r}")
    ok(parsed.version == version, where, f"feedparser sees {parsed.version!r}, not {version!r}")
    ok(bool(parsed.feed.get("title")), where, "the feed has no title")
    ok(absolute(parsed.feed.get("link")), where, f"feed link {parsed.feed.get('link')!r} is not absolute")
    if want_entries:
        ok(len(parsed.entries) > 0, where, "no entries")
    ok(len(parsed.entries) <= 20, where, f"{len(parsed.entries)} entries (newest 20 expected)")
    dates = []
    for e in parsed.entries:
        ew = f"{where} entry {e.get('link')}"
        ok(bool(e.get("title")), ew, "no title")
        ok(absolute(e.get("link")), ew, "link not absolute")
        ok(bool(e.get("id")), ew, "no id/guid")
        ok(e.get("published_parsed") is not None, ew, "no publication date")
        ok(bool(e.get("author")), ew, "no author")
        content = (e.get("content") or [{}])[0].get("value") or e.get("summary") or ""
        ok(len(content) > 40, ew, "no full content")
        ok("<script" not in content.lower(), ew, "content holds a script")
        ok(len(e.get("tags") or []) > 0, ew, "no category")
        if e.get("published_parsed"):
            dates.append(tuple(e.published_parsed))
        if e.get("link"):
            s, _, _ = c.get(c.path_of(e.link))
            ok(s == 200, ew, f"the entry's link answers {s}")
    ok(dates == sorted(dates, reverse=True), where, "entries are not newest first")


def check_json_feed(c: Client, path: str, want_items: bool) -> None:
    where = f"{c.host}{path}"
    status, headers, body = c.get(path)
    if not ok(status == 200, where, f"answered {status}"):
        return
    ok(headers.get("content-type", "").startswith("application/feed+json"), where,
       f"content type {headers.get('content-type')}")
    feed = json.loads(body)
    ok(feed.get("version") == "https://jsonfeed.org/version/1.1", where, f"version {feed.get('version')!r}")
    ok(isinstance(feed.get("title"), str) and feed["title"], where, "no title")
    ok(absolute(feed.get("home_page_url")), where, "home_page_url not absolute")
    ok(absolute(feed.get("feed_url")) and c.path_of(feed["feed_url"]) == path, where,
       f"feed_url {feed.get('feed_url')!r} is not this feed")
    items = feed.get("items")
    if not ok(isinstance(items, list), where, "items is not a list"):
        return
    if want_items:
        ok(len(items) > 0, where, "no items")
    for it in items:
        iw = f"{where} item {it.get('id')}"
        ok(isinstance(it.get("id"), str) and it["id"], iw, "id must be a non-empty string")
        ok(absolute(it.get("url")), iw, "url not absolute")
        ok(bool(it.get("title")), iw, "no title")
        ok(bool(it.get("content_html")), iw, "no content_html")
        ok("<script" not in (it.get("content_html") or "").lower(), iw, "content holds a script")
        for key in ("date_published", "date_modified"):
            if key in it:
                try:
                    datetime.fromisoformat(it[key].replace("Z", "+00:00"))
                except ValueError:
                    fail(iw, f"{key} {it[key]!r} is not RFC 3339")
        authors = it.get("authors") or feed.get("authors") or []
        ok(len(authors) > 0 and all(a.get("name") for a in authors), iw, "no author name")


def check_feeds(c: Client, has_posts: bool) -> None:
    check_xml_feed(c, "/feed.xml", "rss20", has_posts)
    check_xml_feed(c, "/atom.xml", "atom10", has_posts)
    check_json_feed(c, "/feed.json", has_posts)
    for kind in ("categories", "tags"):
        terms = c.json(f"/api/v1/{kind}") or {}
        base = "category" if kind == "categories" else "tag"
        for term in (terms.get(kind) or [])[:3]:
            used = term.get("post_count", 1) > 0
            prefix = f"/blog/{base}/{term['slug']}"
            check_xml_feed(c, f"{prefix}/feed.xml", "rss20", used)
            check_xml_feed(c, f"{prefix}/atom.xml", "atom10", used)
            check_json_feed(c, f"{prefix}/feed.json", used)


# ---------------------------------------------------------------------------
# Sitemaps
# ---------------------------------------------------------------------------


def check_sitemaps(c: Client, has_posts: bool) -> None:
    status, _, robots = c.get("/robots.txt")
    if ok(status == 200, f"{c.host}/robots.txt", f"answered {status}"):
        lines = [l.split(":", 1)[1].strip() for l in robots.decode().splitlines() if l.lower().startswith("sitemap:")]
        ok(len(lines) == 1 and lines[0].endswith("/sitemap.xml") and absolute(lines[0]),
           f"{c.host}/robots.txt", f"Sitemap lines {lines!r}")
    pending, seen, urls = ["/sitemap.xml"], set(), []
    while pending:
        path = pending.pop()
        where = f"{c.host}{path}"
        seen.add(path)
        status, _, body = c.get(path)
        if not ok(status == 200, where, f"answered {status}"):
            continue
        errors = list(SITEMAP_SCHEMA.iter_errors(body.decode()))
        ok(not errors, where, f"not a valid sitemap: {errors[:1]}")
        data = SITEMAP_SCHEMA.to_dict(body.decode(), validation="skip") or {}
        for part in data.get("sitemap", []) or []:
            p = c.path_of(part["loc"])
            if p not in seen:
                pending.append(p)
        urls.extend(u["loc"] for u in data.get("url", []) or [])
    ok(len(urls) >= 1, c.host, "the sitemap lists no pages (not even the home page)")
    if has_posts:
        ok(any("/blog/" in u for u in urls), c.host, "the sitemap lists no posts")
    for u in urls[:15]:
        s, _, _ = c.get(c.path_of(u))
        ok(s == 200, f"{c.host} sitemap", f"{u} answers {s}")


# ---------------------------------------------------------------------------
# JSON-LD
# ---------------------------------------------------------------------------


class LdScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("type") == "application/ld+json":
            self.inside = True
            self.found.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.found[-1] += data


def nodes(doc):
    """Every typed node in a JSON-LD document (through @graph and nesting)."""
    if isinstance(doc, list):
        for d in doc:
            yield from nodes(d)
    elif isinstance(doc, dict):
        if "@type" in doc:
            yield doc
        for v in doc.values():
            if isinstance(v, (dict, list)):
                yield from nodes(v)


def types_of(node) -> set[str]:
    t = node.get("@type")
    return set(t) if isinstance(t, list) else {t}


CLINIC_TYPES = {"MedicalClinic", "MedicalBusiness", "MedicalOrganization", "Physician"}


def check_node(where: str, n: dict) -> None:
    t = types_of(n)
    if t & {"BlogPosting", "Article"}:
        for key in ("headline", "datePublished", "author", "publisher", "mainEntityOfPage"):
            ok(key in n, where, f"{sorted(t)} lacks {key}")
        ok(len(n.get("headline", "")) <= 110, where, "headline longer than 110 characters")
        authors = n.get("author") if isinstance(n.get("author"), list) else [n.get("author")]
        ok(all(isinstance(a, dict) and a.get("name") for a in authors), where, "author without a name")
        try:
            datetime.fromisoformat(str(n.get("datePublished")).replace("Z", "+00:00"))
        except ValueError:
            fail(where, f"datePublished {n.get('datePublished')!r} is not ISO 8601")
    if "BreadcrumbList" in t:
        items = n.get("itemListElement") or []
        ok(len(items) >= 1, where, "BreadcrumbList without items")
        ok([i.get("position") for i in items] == list(range(1, len(items) + 1)), where,
           "breadcrumb positions are not 1..n")
        ok(all(i.get("name") for i in items), where, "breadcrumb item without a name")
    if t & CLINIC_TYPES and "address" in n:
        a = n["address"]
        ok(isinstance(a, dict) and "PostalAddress" in types_of(a), where, "address is not a PostalAddress")
        for key in ("streetAddress", "addressLocality"):
            ok(bool(a.get(key)), where, f"address lacks {key}")
        ok(bool(n.get("name")), where, "clinic without a name")
        ok(bool(n.get("telephone")), where, "clinic without a telephone")
        for spec in n.get("openingHoursSpecification") or []:
            ok(bool(spec.get("dayOfWeek")), where, "opening hours without dayOfWeek")
            ok(re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", spec.get("opens", "")) is not None, where,
               f"opens {spec.get('opens')!r}")
            ok(re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", spec.get("closes", "")) is not None, where,
               f"closes {spec.get('closes')!r}")
        geo = n.get("geo")
        if geo is not None:
            ok(isinstance(geo.get("latitude"), (int, float)) and isinstance(geo.get("longitude"), (int, float)),
               where, "geo without numeric latitude/longitude")


def json_ld(c: Client, path: str) -> list[dict]:
    where = f"{c.host}{path}"
    status, _, body = c.get(path)
    if not ok(status == 200, where, f"answered {status}"):
        return []
    p = LdScripts()
    p.feed(body.decode())
    found = []
    for text in p.found:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            fail(where, f"JSON-LD does not parse: {e}")
            continue
        ok(doc.get("@context") in ("https://schema.org", "https://schema.org/", "http://schema.org"), where,
           f"@context {doc.get('@context')!r}")
        for n in nodes(doc):
            check_node(where, n)
            found.append(n)
    return found


def check_json_ld(c: Client, has_posts: bool) -> None:
    if has_posts:
        posts = (c.json("/api/v1/posts?limit=3") or {}).get("posts") or []
        for post in posts:
            found = json_ld(c, f"/blog/{post['slug']}")
            ok(any(types_of(n) & {"BlogPosting"} for n in found), f"{c.host}/blog/{post['slug']}", "no BlogPosting")
            ok(any("BreadcrumbList" in types_of(n) for n in found), f"{c.host}/blog/{post['slug']}",
               "no BreadcrumbList")
    home = json_ld(c, "/")
    locations = (c.json("/api/v1/locations") or {}).get("locations") or []
    if locations:
        ok(any(types_of(n) & CLINIC_TYPES for n in home), f"{c.host}/", "no MedicalClinic on the home page")
    for loc in locations:
        path = f"/locations/{loc['slug']}"
        found = json_ld(c, path)
        ok(any(types_of(n) & CLINIC_TYPES and "address" in n for n in found), f"{c.host}{path}",
           "no MedicalClinic with an address")


# ---------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    base, hosts = argv[1], argv[2:]
    for i, host in enumerate(hosts):
        c = Client(base, host)
        posts = c.json("/api/v1/posts?limit=1") or {}
        has_posts = bool(posts.get("posts"))
        print(f"{host}: {'with posts' if has_posts else 'no posts'}", file=sys.stderr)
        check_feeds(c, has_posts)
        check_sitemaps(c, has_posts)
        check_json_ld(c, has_posts)
        if i == 0:
            spec = c.json("/api/openapi.json")
            try:
                validate_openapi(spec)
                ok(str(spec.get("openapi", "")).startswith("3.1"), "openapi.json", f"version {spec.get('openapi')}")
            except Exception as e:  # the validator's own error types vary by version
                fail("/api/openapi.json", f"not a valid OpenAPI document: {e}")
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    print(f"{checked} checks, {len(failures)} failed", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
