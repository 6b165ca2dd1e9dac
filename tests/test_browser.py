"""The portal in a real browser: Playwright drives Debian's chromium (headless) through the main
journeys in Chinese and English against the real server (uvicorn on 127.0.0.1, a free port) over
a fresh database with the demo world. Screenshots of every step land in
``<test output>/<backend>/screenshots/`` (see the ``output_dir`` fixture).

Skipped only when ``/usr/bin/chromium`` or the ``playwright`` package is missing; ``.ci/run``
installs both, so CI runs it."""

from __future__ import annotations

import csv
import io
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.app import create_app
from accordia.demo.generator import Showcase, generate

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
# .ci/run sets ACCORDIA_REQUIRE_BROWSER=1: there a missing browser is a failure, not a skip.
_REQUIRED = os.environ.get("ACCORDIA_REQUIRE_BROWSER") == "1"
try:
    from playwright import sync_api
except ImportError:
    _MISSING: str | None = "the playwright package is not installed"
else:
    _MISSING = None if CHROMIUM.exists() else f"{CHROMIUM} is not installed"
if _MISSING and _REQUIRED:
    pytest.fail(f"browser tests required but {_MISSING}", pytrace=False)
if _MISSING:
    pytest.skip(_MISSING, allow_module_level=True)

pytestmark = pytest.mark.browser

S = Showcase()
LANGS = ("en", "zh")
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
LOCALE = {"en": "en-GB", "zh": "zh-CN"}
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CHAIN = ["certificate", "cab", "accreditation", "accreditation_body", "arrangement", "market"]


# --- the server and the browser ------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url(db) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The real server over the module's database with the demo world, on a free local port."""
    generate(db.engine, scale=300)
    app = create_app(engine=db.engine)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        assert time.monotonic() < deadline, "the server did not start within 20 s"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(output_dir: Path) -> Path:
    d = output_dir / "screenshots"
    d.mkdir(parents=True, exist_ok=True)
    for old in [*d.glob("*.png"), *d.glob("*.pdf")]:
        old.unlink()
    return d


VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def tabs(browser: Browser, base_url: str) -> Iterator[dict[str, Page]]:
    """One browser context and tab per language (Accept-Language = that language), reused by
    the tests: a fresh context costs a renderer start-up, which would double the run time."""
    out = {}
    for code in LANGS:
        context = browser.new_context(
            base_url=base_url, locale=LOCALE[code], accept_downloads=True, viewport=VIEWPORT
        )
        context.set_default_timeout(10_000)
        out[code] = context.new_page()
    yield out
    for pg in out.values():
        pg.context.close()


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def fresh(tabs: dict[str, Page], lang: str) -> Page:
    """The language's tab as a new visitor sees it: no cookies, screen media, desktop size."""
    pg = tabs[lang]
    pg.context.clear_cookies()
    pg.emulate_media(media="screen")
    pg.set_viewport_size(VIEWPORT)
    pg.goto("about:blank")
    return pg


@pytest.fixture()
def page(tabs: dict[str, Page], lang: str) -> Page:
    return fresh(tabs, lang)


def shot(page: Page, shots: Path, name: str, *, full_page: bool = True) -> Path:
    path = shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 5_000, f"{path} looks empty"
    return path


# --- what a person sees --------------------------------------------------------------------------


def rgb(css: str) -> tuple[int, int, int]:
    found = re.findall(r"[\d.]+", css)
    r, g, b = (round(float(x)) for x in found[:3])
    return r, g, b


def is_green(css: str) -> bool:
    r, g, b = rgb(css)
    return g > r + 40 and g > b + 20


def is_red(css: str) -> bool:
    r, g, b = rgb(css)
    return r > g + 80 and r > b + 60


def chain(page: Page) -> dict[str, dict[str, str]]:
    """The drawn chain: per node kind (in order), its classes, border colour and status word."""
    nodes = page.locator("ol.chain > li.node")
    assert nodes.count() == len(CHAIN)
    out = {}
    for kind, node in zip(CHAIN, nodes.all(), strict=True):
        assert node.is_visible()
        out[kind] = {
            "class": node.get_attribute("class") or "",
            "border": node.evaluate("e => getComputedStyle(e).borderTopColor"),
            "icon": node.locator(".icon").inner_text(),
            "status": node.locator(".node-status").inner_text(),
        }
    return out


def assert_lang(page: Page, lang: str) -> None:
    assert page.locator("html").get_attribute("lang") == HTML_LANG[lang]


def verify_url(number: str, market: str = "", lang: str = "") -> str:
    url = f"/verify?number={number}"
    if market:
        url += f"&market={market}"
    return url + (f"&lang={lang}" if lang else "")


# --- journeys ------------------------------------------------------------------------------------


def test_verify_valid_with_the_keyboard(page: Page, lang: str, shots: Path) -> None:
    """Tab to the verify box, type, submit with Enter: valid and recognized in GB, all green."""
    page.goto("/")  # language from Accept-Language (the context's locale)
    assert_lang(page, lang)
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.className")
    assert "skip" in first, "the first Tab stop should be the skip link"
    assert page.locator("a.skip").bounding_box()["x"] >= 0, "the skip link shows when focused"  # type: ignore[index]
    for _ in range(20):
        if page.evaluate("document.activeElement.id") == "f-number":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-number", "verify box not reachable"
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert outline[0] != "none" and outline[1] >= 2, f"no visible focus on the box: {outline}"
    page.keyboard.type(S.valid)
    page.keyboard.press("Tab")  # issuer
    page.keyboard.press("Tab")  # market
    assert page.evaluate("document.activeElement.id") == "f-market"
    page.keyboard.type("GB")
    shot(page, shots, f"{lang}-01-home-typed", full_page=False)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/verify?" in page.url and f"number={S.valid}" in page.url
    assert_lang(page, lang)
    nodes = chain(page)
    for kind, n in nodes.items():
        assert "st-ok" in n["class"], (kind, n)
        assert is_green(n["border"]), (kind, n)
        assert n["icon"] == "✓"
    assert "tone-ok" in (page.locator("section.verdict").get_attribute("class") or "")
    assert page.locator(".flag").count() == 0
    shot(page, shots, f"{lang}-02-verify-valid-GB")


def test_verify_suspended(page: Page, lang: str, shots: Path) -> None:
    page.goto(verify_url(S.suspended, lang=lang))
    assert_lang(page, lang)
    nodes = chain(page)
    cert = nodes["certificate"]
    assert "st-failed" in cert["class"] and "failed" in cert["class"].split()
    assert is_red(cert["border"]) and cert["icon"] == "✗"
    shadow = page.locator("ol.chain > li.node").first.evaluate("e => getComputedStyle(e).boxShadow")
    assert shadow != "none", "the failed link is not outlined"
    assert "tone-bad" in (page.locator("section.verdict").get_attribute("class") or "")
    failure = page.locator("article#link-certificate")
    assert "first-failure" in (failure.get_attribute("class") or "")
    assert failure.locator(".flag").is_visible()
    assert failure.locator("details").get_attribute("open") is not None, "evidence not open"
    assert is_red(
        page.locator("#verdict-h").evaluate(
            "e => getComputedStyle(e.closest('section')).borderLeftColor"
        )
    )
    shot(page, shots, f"{lang}-03-verify-suspended")


def test_verify_not_recognized_in_market_and_print(page: Page, lang: str, shots: Path) -> None:
    page.goto(verify_url(S.product, market="NZ", lang=lang))
    nodes = chain(page)
    assert "st-failed" in nodes["market"]["class"] and is_red(nodes["market"]["border"])
    for kind in CHAIN[:-1]:
        assert "st-ok" in nodes[kind]["class"], kind
    assert page.locator("article#link-market .flag").is_visible()
    assert "tone-warn" in (page.locator("section.verdict").get_attribute("class") or "")
    shot(page, shots, f"{lang}-04-verify-product-not-in-NZ")

    # On paper: no navigation or forms, and the evidence of every link printed.
    page.emulate_media(media="print")
    assert not page.locator("header.site nav").first.is_visible()
    assert not page.locator("form.verify").is_visible()
    with_evidence = page.locator("article.link:has(details)")
    assert with_evidence.count() >= 3
    for art in with_evidence.all():
        assert not art.locator("details").is_visible()
        printed = art.locator(".evidence-print")
        assert printed.is_visible() and printed.locator("ol.evidence > li").count() >= 1
    assert page.locator(".permalink").is_visible()
    shot(page, shots, f"{lang}-05-verify-print")
    page.pdf(path=str(shots / f"{lang}-05-verify-print.pdf"), format="A4")
    page.emulate_media(media="screen")


def test_follow_links_result_to_cab_to_accreditation_body(
    page: Page, lang: str, shots: Path
) -> None:
    page.goto(verify_url(S.valid, market="GB", lang=lang))
    # the accreditation box leads to the accreditation on the CAB page
    acc = page.locator("ol.chain > li.node").nth(2).locator("a")
    href = acc.get_attribute("href") or ""
    assert href.startswith(f"/cabs/{S.cab}#accreditation-"), href
    acc.click()
    page.wait_for_url(re.compile(rf"/cabs/{S.cab}#accreditation-"))
    target = page.locator("article.accreditation:target")
    assert target.count() == 1 and target.is_visible()
    assert target.evaluate("e => e.getBoundingClientRect().top") < 900, "not scrolled into view"
    shot(page, shots, f"{lang}-06-cab-accreditation-anchor", full_page=False)
    page.go_back()
    # the CAB box leads to the CAB page …
    page.locator("ol.chain > li.node").nth(1).locator("a").click()
    page.wait_for_url(re.compile(rf"/cabs/{S.cab}$"))
    assert_lang(page, lang)
    assert page.locator("h1").inner_text().strip()
    shot(page, shots, f"{lang}-07-cab")
    # … and its accreditation to the accreditation body page
    page.locator("article.accreditation h3 a").first.click()
    page.wait_for_url(re.compile(r"/accreditation-bodies/CN/CNAS"))
    assert_lang(page, lang)
    assert "CNAS" in page.locator("main").inner_text()
    shot(page, shots, f"{lang}-08-accreditation-body")


def test_organization_shows_where_each_certificate_is_recognized(
    page: Page, lang: str, shots: Path
) -> None:
    page.goto(verify_url(S.valid, lang=lang))
    page.locator("a[href^='/certificates/']").first.click()
    page.wait_for_url(re.compile(r"/certificates/"))
    page.locator("dl.summary a[href^='/organizations/']").first.click()
    page.wait_for_url(re.compile(r"/organizations/"))
    assert_lang(page, lang)
    row = page.locator("tr", has=page.locator(f"a:text-is('{S.valid}')"))
    marks = row.locator("ul.markets a")
    assert marks.count() >= 3
    gb = row.locator("ul.markets a", has_text="GB")
    assert "rec-yes" in (gb.get_attribute("class") or "") and is_green(
        gb.evaluate("e => getComputedStyle(e).color")
    )
    assert page.locator("#rec-explain").is_visible()
    # a reader adds a market: NZ
    page.locator("#o-market").fill("NZ")
    with page.expect_navigation():
        page.locator("#o-market").press("Enter")
    assert "market=NZ" in page.url
    nz = page.locator("tr", has=page.locator(f"a:text-is('{S.valid}')")).locator(
        "ul.markets a", has_text="NZ"
    )
    assert nz.count() == 1
    shot(page, shots, f"{lang}-09-organization-recognition")
    gb = page.locator("tr", has=page.locator(f"a:text-is('{S.valid}')")).locator(
        "ul.markets a", has_text="GB"
    )
    gb.click()
    page.wait_for_url(re.compile(r"/verify\?.*market=GB"))
    assert "tone-ok" in (page.locator("section.verdict").get_attribute("class") or "")


def test_switch_language(tabs: dict[str, Page], shots: Path) -> None:
    page = fresh(tabs, "en")
    page.goto(verify_url(S.suspended, lang="en"))
    assert_lang(page, "en")
    page.locator("nav.langs a[hreflang='zh-Hans']").click()
    page.wait_for_load_state()
    assert_lang(page, "zh")
    assert f"number={S.suspended}" in page.url, "the switcher must keep the question"
    assert "证书" in page.locator("main").inner_text()
    shot(page, shots, "zh-10-switched-to-chinese")
    page.goto("/")  # no ?lang: the cookie remembers the choice
    assert_lang(page, "zh")
    page.locator("nav.langs a[hreflang='en']").click()
    page.wait_for_load_state()
    assert_lang(page, "en")
    page.goto("/batch")
    assert_lang(page, "en")
    shot(page, shots, "en-11-switched-back-to-english", full_page=False)


def test_chinese_renders_with_real_glyphs(tabs: dict[str, Page], shots: Path) -> None:
    """The Chinese heading is drawn with a CJK font (asked of the renderer through the DevTools
    protocol) and its characters are real, distinct glyphs, not the same missing-glyph box."""
    page = fresh(tabs, "zh")
    page.goto(verify_url(S.valid, market="GB", lang="zh"))
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cjk = [
        f
        for f in fonts
        if re.search(r"CJK|Hei|Song|Ming|WenQuanYi|Droid Sans Fallback", f["familyName"])
        and f["glyphCount"] > 0
    ]
    assert cjk, f"the Chinese heading is not drawn with a CJK font: {fonts}"
    same = page.evaluate(
        """() => {
          const family = getComputedStyle(document.querySelector('h1')).fontFamily;
          const draw = (s) => {
            const c = document.createElement('canvas'); c.width = 48; c.height = 48;
            const x = c.getContext('2d'); x.font = '36px ' + family; x.fillText(s, 4, 38);
            return Array.from(x.getImageData(0, 0, 48, 48).data).join(',');
          };
          const blank = draw('');
          const tofu = draw('\\u{F0000}');
          return { zhong_wen: draw('中') === draw('文'), zhong_tofu: draw('中') === tofu,
                   zhong_blank: draw('中') === blank };
        }"""
    )
    assert same == {"zhong_wen": False, "zhong_tofu": False, "zhong_blank": False}, same
    shot(page, shots, "zh-12-glyphs", full_page=False)
    cdp.detach()


def test_batch_upload_and_download(page: Page, lang: str, shots: Path, output_dir: Path) -> None:
    page.goto("/batch")
    assert_lang(page, lang)
    text = f"number,market\n{S.valid},GB\n{S.suspended},\n{S.product},NZ\n"
    page.locator("#b-file").set_input_files(
        {"name": "suppliers.csv", "mimeType": "text/csv", "buffer": text.encode()}
    )
    page.locator("#b-format").select_option("csv")
    shot(page, shots, f"{lang}-13-batch-form", full_page=False)
    with page.expect_download() as info:
        page.locator("form.batch button[type=submit]").click()
    download = info.value
    assert download.suggested_filename.startswith("verdicts-")
    assert download.suggested_filename.endswith(".csv")
    saved = output_dir / f"batch-report-{lang}.csv"
    download.save_as(str(saved))
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert [r["number"] for r in rows] == [S.valid, S.suspended, S.product]
    valid, suspended, product = rows
    assert (valid["valid"], valid["recognized"], valid["failed_link"]) == ("true", "true", "")
    assert (suspended["valid"], suspended["failed_link"]) == ("false", "certificate")
    assert (product["valid"], product["recognized"], product["failed_link"]) == (
        "true",
        "false",
        "market",
    )
    assert product["market"] == "NZ" and valid["holder_zh"]

    # a file that is not a supplier list: a friendly page in the same language, not JSON
    page.goto("/batch")
    page.locator("#b-file").set_input_files(
        {"name": "suppliers.xlsx", "mimeType": "application/octet-stream", "buffer": b"no"}
    )
    with page.expect_navigation():
        page.locator("form.batch button[type=submit]").click()
    assert_lang(page, lang)
    alert = page.locator("#batch-errors")
    assert alert.is_visible() and alert.get_attribute("role") == "alert"
    assert page.locator("form.batch").is_visible(), "the form is offered again"
    if lang == "zh":
        assert "无法" in alert.inner_text()
    else:
        assert "could not be read" in alert.inner_text()
    shot(page, shots, f"{lang}-14-batch-rejected", full_page=False)


def test_phone_width(page: Page, lang: str, shots: Path) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(verify_url(S.product, market="NZ", lang=lang))
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page scrolls sideways on a phone by {overflow}px"
    boxes = [n.bounding_box() for n in page.locator("ol.chain > li.node").all()]
    assert all(b and b["width"] <= 375 for b in boxes)
    xs = {round(b["x"]) for b in boxes if b}
    assert len(xs) == 1, "the chain should stack vertically on a phone"
    shot(page, shots, f"{lang}-15-phone-verify")


# --- accessibility -------------------------------------------------------------------------------

A11Y = """() => {
  const problems = [];
  const visible = (e) => {
    const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const name = (e) => (e.getAttribute('aria-label') || '').trim()
    || (e.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
        .map((id) => (document.getElementById(id) || {}).textContent || '').join(' ').trim()
    || (e.textContent || '').trim() || (e.getAttribute('title') || '').trim()
    || Array.from(e.querySelectorAll('img[alt]')).map((i) => i.alt).join(' ').trim();
  if (!document.documentElement.lang) problems.push('html has no lang');
  if (!document.title.trim()) problems.push('no title');
  if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one main');
  for (const e of document.querySelectorAll('input, select, textarea')) {
    if (e.type === 'hidden') continue;
    const byFor = e.id && document.querySelector('label[for="' + CSS.escape(e.id) + '"]');
    const labelled = byFor || e.closest('label') || e.getAttribute('aria-label')
      || e.getAttribute('aria-labelledby');
    if (!labelled) problems.push('unlabelled field ' + (e.name || e.id || e.outerHTML));
  }
  for (const e of document.querySelectorAll('img')) {
    if (!e.hasAttribute('alt')) problems.push('image without alt ' + e.src);
  }
  for (const e of document.querySelectorAll('a[href], button')) {
    if (!name(e)) problems.push('nameless ' + e.outerHTML.slice(0, 80));
  }
  for (const e of document.querySelectorAll('[aria-labelledby], [aria-describedby]')) {
    for (const attr of ['aria-labelledby', 'aria-describedby']) {
      for (const id of (e.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) problems.push(attr + ' points nowhere: ' + id);
      }
    }
  }
  const ids = {};
  for (const e of document.querySelectorAll('[id]')) ids[e.id] = (ids[e.id] || 0) + 1;
  for (const [id, n] of Object.entries(ids)) if (n > 1) problems.push('duplicate id ' + id);
  const hs = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'));
  if (hs.filter((h) => h.tagName === 'H1').length !== 1) problems.push('not exactly one h1');
  let level = 0;
  for (const h of hs) {
    const l = Number(h.tagName[1]);
    if (level && l > level + 1) problems.push('heading skips from h' + level + ' to h' + l
      + ': ' + h.textContent.trim().slice(0, 40));
    if (!h.textContent.trim()) problems.push('empty heading');
    level = l;
  }
  // text contrast (WCAG AA) against the nearest opaque background
  const parse = (s) => {
    const m = s.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { c: p.slice(0, 3), a: p.length > 3 ? p[3] : 1 };
  };
  const lum = (c) => {
    const [r, g, b] = c.map((v) => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const bg = (e) => {
    for (let x = e; x; x = x.parentElement) {
      const c = parse(getComputedStyle(x).backgroundColor); if (c && c.a > 0.5) return c.c;
    }
    return [255, 255, 255];
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const e = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(e) || !visible(e)) continue;
    seen.add(e);
    const r = e.getBoundingClientRect();
    if (r.width < 2 || r.height < 2 || r.right < 0) continue;  // visually hidden or off-screen
    const s = getComputedStyle(e); const fg = parse(s.color); if (!fg) continue;
    const a = lum(fg.c), b = lum(bg(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) problems.push('contrast ' + ratio.toFixed(2) + ' < ' + need + ': '
      + e.textContent.trim().slice(0, 40));
  }
  return problems;
}"""


def accessibility_pages(db: Any, lang: str) -> list[str]:
    with Session(db.engine) as s:
        org = s.execute(
            select(m.Organization.key)
            .join(m.Certificate, m.Certificate.organization_id == m.Organization.id)
            .filter(m.Certificate.number == S.valid)
        ).scalar_one()
    return [
        f"/?lang={lang}",
        verify_url(S.valid, market="GB", lang=lang),
        verify_url(S.suspended, lang=lang),
        verify_url(S.product, market="NZ", lang=lang),
        f"/certificates/{S.cab}/{S.valid}?lang={lang}",
        f"/organizations/{org}?lang={lang}",
        f"/cabs/{S.cab}?lang={lang}",
        f"/accreditation-bodies/CN/CNAS?lang={lang}",
        f"/arrangements/IAF-MLA?lang={lang}",
        f"/batch?lang={lang}",
        f"/no-such-page?lang={lang}",
    ]


def test_accessibility(page: Page, lang: str, db: Any) -> None:
    """Automated checks on every kind of page: lang, labels, alt text, named links, headings in
    order, unique ids, AA text contrast, and a visible focus on the first keyboard stops."""
    problems: dict[str, list[str]] = {}
    for url in accessibility_pages(db, lang):
        page.goto(url)
        assert_lang(page, lang)
        found = list(page.evaluate(A11Y))
        page.locator("body").focus()
        for _ in range(10):
            page.keyboard.press("Tab")
            state = page.evaluate(
                """() => { const e = document.activeElement; const s = getComputedStyle(e);
                  return [e.tagName, (e.textContent || e.id || '').trim().slice(0, 30),
                          s.outlineStyle, parseFloat(s.outlineWidth) || 0, s.boxShadow]; }"""
            )
            tag, label, style, width, shadow = state
            if tag == "BODY":
                continue
            if (style == "none" or width < 2) and shadow == "none":
                found.append(f"no visible focus on {tag} {label!r}")
        if found:
            problems[url] = found
    assert not problems, problems
