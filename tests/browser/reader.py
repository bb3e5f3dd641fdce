"""What a reader's browser gets from one page, and what the page's source promises.

`OpenPage(...).problems()` (or `inspect`, which opens, looks and closes) returns
a page's problems as sentences: console errors, failed requests, requests to
another host, formulas not rendered (the count on the page against the count in
the source), KaTeX error elements, images that do not load, a page wider than
the screen, copy buttons over code, and formulas too faint to read in the light
or the dark scheme.
`site_pages` lists the pages, from the navigation in mkdocs.yml.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import docblocks
from mkdocs.utils.yaml import yaml_load

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@dataclass(frozen=True)
class SitePage:
    uri: str | None  # the source under docs/ as MkDocs names it; None for 404.html
    url: str  # relative to the site root: "", "lectures/jacobians/", "404.html"

    @property
    def name(self) -> str:
        return self.url.strip("/") or "home"

    @property
    def source(self) -> Path | None:
        """The source file, or None for a page a hook generates (or MkDocs' 404.html)."""
        path = DOCS / self.uri if self.uri else None
        return path if path and path.is_file() else None

    @property
    def is_lecture(self) -> bool:
        return self.url.startswith("lectures/")


def site_pages() -> list[SitePage]:
    """Every page of the site: the navigation of mkdocs.yml (a strict build refuses a page
    missing from it), including pages a hook generates, and the 404 page."""
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as handle:
        nav = yaml_load(handle)["nav"]

    def walk(entries):
        for entry in entries:
            for value in entry.values() if isinstance(entry, dict) else [entry]:
                if isinstance(value, list):
                    yield from walk(value)
                elif "://" not in value:
                    yield value

    pages = []
    for uri in walk(nav):
        stem = Path(uri).with_suffix("")
        if stem.name in ("index", "README"):
            url = "" if stem.parent == Path(".") else stem.parent.as_posix() + "/"
        else:
            url = stem.as_posix() + "/"
        pages.append(SitePage(uri, url))
    return pages + [SitePage(None, "404.html")]


@cache
def generated_sources() -> dict[str, str]:
    """The Markdown of the pages the build's hooks generate, as MkDocs gets it (their on_files)."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    config = load_config(str(ROOT / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    files = config.plugins.on_files(get_files(config), config=config)
    return {file.src_uri: file.content_string for file in files if file.generated_by and file.is_documentation_page()}


# ---------------------------------------------------------------------------
# Formulas in the source

DISPLAY = re.compile(r"\$\$.+?\$\$|\\\[.+?\\\]|^[ \t]*\\begin\{([a-z]+\*?)\}.+?\\end\{\1\}", re.DOTALL | re.MULTILINE)
INLINE = re.compile(r"\$(?:\\.|[^$\\])+?\$|\\\(.+?\\\)", re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _prose(text: str, where: str) -> str:
    """Markdown text without fenced code, HTML comments, code spans and escaped dollars."""
    lines = text.split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        fence = docblocks.FENCE.match(lines[index])
        if fence and fence["fence"]:
            try:
                index = docblocks._closing_fence(lines, index, fence) + 1
            except docblocks.PageError as err:
                raise docblocks.PageError(f"{where}: {err}") from None
            kept.append("")
            continue
        kept.append(lines[index])
        index += 1
    prose = COMMENT.sub(" ", "\n".join(kept)).replace(r"\$", " ")
    return "\n\n".join(CODE_SPAN.sub(" ", part) for part in PARAGRAPH_BREAK.split(prose))


def formulas_in_markdown(text: str, where: str = "<text>") -> int:
    """Formulas written in Markdown text, outside code: $$..$$ and \\[..\\] (display), $..$ and \\(..\\) (inline).

    Deliberately looser than the Markdown extension that renders them: a formula
    it would not recognise (`$ x $`, a `$` lost in a paragraph) still counts, so
    the page shows fewer rendered formulas than the source has and the check fails.
    """
    prose = _prose(text, where)
    display = sum(1 for _ in DISPLAY.finditer(prose))
    return display + sum(len(INLINE.findall(part)) for part in PARAGRAPH_BREAK.split(DISPLAY.sub("\n\n", prose)))


def words_in_prose(page: SitePage) -> set[str]:
    """The lower-case words of a Markdown page outside code and formulas."""
    prose = _prose(markdown_source(page), f"docs/{page.uri}")
    text = "\n\n".join(INLINE.sub(" ", part) for part in PARAGRAPH_BREAK.split(DISPLAY.sub("\n\n", prose)))
    return set(re.findall(r"[a-z]+", text.lower()))


def markdown_source(page: SitePage) -> str:
    """The Markdown of a page, from its file or from the hook that generates it."""
    return page.source.read_text(encoding="utf-8") if page.source else generated_sources()[page.uri]


def formulas_in_source(page: SitePage) -> int:
    """Formulas the page's source holds: after `--8<--` includes (Markdown) or in Markdown cells (labs)."""
    if page.uri is None:
        return 0
    if page.uri.endswith(".md"):
        expanded = docblocks.expand(DOCS / page.uri, markdown_source(page)).lines
        return formulas_in_markdown("\n".join(expanded), f"docs/{page.uri}")
    import jupytext

    notebook = jupytext.read(page.source)
    cells = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    return sum(formulas_in_markdown(cell, f"docs/{page.uri}") for cell in cells)


# ---------------------------------------------------------------------------
# The page in the browser

# A reader going through the whole page: every collapsed block opened, then the
# page scrolled a screen at a time to the end, a few frames at each stop (blocks
# far down are drawn only as they come near the screen: extra.css). Returns the
# boxes that scroll sideways (a wide formula, code block or table) but cannot
# take keyboard focus once drawn, as "<tag.class> at y px", and how many boxes
# scroll at all.
READ_THROUGH = r"""async () => {
  const frames = (n) => new Promise((done) => {
    const step = () => (n-- > 0 ? requestAnimationFrame(step) : done());
    step();
  });
  for (const details of document.querySelectorAll("details:not([open])")) details.open = true;
  const boxes = "div.arithmatex, .katex-display, .md-content pre > code, .md-typeset__scrollwrap, .highlight-ipynb";
  const unreachable = new Map();
  const scrolling = new Set();
  for (let y = 0; ; y += innerHeight) {
    scrollTo(0, y);
    await frames(4);
    for (const box of document.querySelectorAll(boxes)) {
      if (!box.checkVisibility({ contentVisibilityAuto: true })) continue;
      if (box.scrollWidth <= box.clientWidth || !/auto|scroll/.test(getComputedStyle(box).overflowX)) continue;
      scrolling.add(box);
      const where = `<${box.tagName.toLowerCase()}.${[...box.classList].join(".")}> at ${Math.round(box.getBoundingClientRect().top + scrollY)} px`;
      if (box.getAttribute("tabindex") === "0") unreachable.delete(box);
      else unreachable.set(box, where);
    }
    if (y + innerHeight >= document.documentElement.scrollHeight) break;
  }
  scrollTo(0, 0);
  // Back at the top, the theme fades its header tabs in again: wait until that is done.
  await frames(2);
  await Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => null)));
  return { unreachable: [...unreachable.values()], scrolling: scrolling.size };
}"""

# The site skips the layout of blocks far from the screen (content-visibility in
# extra.css); what a block would show when scrolled to is checked with every
# block laid out and every collapsed block (an exercise's solution) opened, as a
# reader who reads it all sees them: DRAW_EVERYTHING before the checks below. The
# page is left so (laying it out again as it was cost 0.1 s of CPU per page).
DRAW_EVERYTHING = r"""() => {
  const everything = document.createElement("style");
  everything.id = "draw-everything";
  // Transitions off too: colours are read in one scheme and then the other, and would be read
  // half-way. One stylesheet for both, as each added sheet makes Chromium restyle the whole page.
  everything.textContent = "* { content-visibility: visible !important }"
    + " *, *::before, *::after { transition: none !important }";
  document.head.append(everything);
  for (const details of document.querySelectorAll("details:not([open])")) details.open = true;
}"""

# The headings the table of contents links to that lie inside a block the page skips as it starts
# (content-visibility: auto). The theme measures each of them as the page starts (where a
# section begins, for the contents' highlight), and measuring one lays out the block around it:
# a lab whose cells were skipped whole spent 100 ms of a phone's main thread (Lighthouse's 4x
# slowdown) laying them out again.
SKIPPED_HEADINGS = r"""() => {
  const found = [];
  for (const link of document.querySelectorAll(".md-nav--secondary a.md-nav__link")) {
    const heading = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!heading) continue;
    for (let box = heading.parentElement; box; box = box.parentElement) {
      if (getComputedStyle(box).contentVisibility === "auto") {
        found.push(`${heading.textContent.replace("¶", "").trim().slice(0, 50)} (in <${box.tagName.toLowerCase()}.${[...box.classList].join(".")}>)`);
        break;
      }
    }
  }
  return found;
}"""

# One pass over the loaded page: formulas, KaTeX errors, raw TeX left in text,
# images, and elements sticking out past the right edge of the screen.
PAGE_STATE = r"""async () => {
  await document.fonts.ready;
  const content = document.querySelector(".md-content") || document.body;
  const raw = [];
  const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest("pre, code, script, style, textarea, .katex")) continue;
    if (/\$|\\\(|\\\[|\\begin\{/.test(node.nodeValue)) raw.push(node.nodeValue.trim().slice(0, 80));
  }
  const images = [];
  for (const img of document.images) {
    img.loading = "eager";
    const loaded = await Promise.race([
      img.decode().then(() => img.naturalWidth > 0, () => false),
      new Promise((done) => setTimeout(() => done(false), 5000)),
    ]);
    if (!loaded) images.push(img.getAttribute("src").slice(0, 100));
  }
  const width = document.documentElement.clientWidth;
  const describe = (el) => {
    const classes = [...el.classList].slice(0, 2).map((c) => "." + c).join("");
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 50);
    return `<${el.tagName.toLowerCase()}${classes}> ${Math.round(el.getBoundingClientRect().width)} px wide: "${text}"`;
  };
  // Culprits: elements that reach past the right edge while their parent does not,
  // leaving out what a box clips (scrolling code, tables, formulas) and fixed layers.
  const contained = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.overflowX !== "visible" || style.clip !== "auto" || style.position === "fixed") return true;
    }
    return getComputedStyle(el).position === "fixed";
  };
  const sticking = [];
  if (document.documentElement.scrollWidth > width) {
    for (const el of document.body.querySelectorAll("*")) {
      const parent = el.parentElement;
      if (el.getBoundingClientRect().right > width + 1 && parent.getBoundingClientRect().right <= width + 1
          && !contained(el)) {
        sticking.push(describe(el));
      }
    }
  }
  const inCode = [...content.querySelectorAll(".katex")]
    .filter((el) => el.closest("pre, code, .clipboard-copy-txt"))
    .map((el) => (el.querySelector("annotation") || el).textContent.slice(0, 40));
  // Outputs wrap (extra.css): none may need sideways scrolling to be read.
  const outputs = [...content.querySelectorAll(".highlight.output pre > code")];
  const cutOutputs = outputs.filter((code) => code.scrollWidth > code.clientWidth + 1)
    .map((code) => code.textContent.split("\n")[0].slice(0, 60));
  // A heading's permalink (the ¶, invisible until hovered) on a line of its own: an empty line.
  const lonelyPermalinks = [...content.querySelectorAll(":is(h1, h2, h3, h4, h5, h6) .headerlink")]
    .filter((link) => {
      if (!link.getClientRects().length) return false;  // not drawn (a page title's)
      const text = document.createRange();
      text.selectNodeContents(link.closest("h1, h2, h3, h4, h5, h6"));
      text.setEndBefore(link);
      // The boxes of the text as drawn (a formula's MathML copy lies off the screen, to the left).
      const bottom = Math.max(...[...text.getClientRects()].filter((box) => box.right > 0).map((box) => box.bottom));
      return link.getBoundingClientRect().top >= bottom - 2;
    })
    .map((link) => link.parentElement.closest("h1, h2, h3, h4, h5, h6").textContent.replace("\u00b6", "").trim());
  const scrollWidth = document.documentElement.scrollWidth;
  return {
    lonelyPermalinks: lonelyPermalinks.slice(0, 3),
    cutOutputs: cutOutputs.slice(0, 3),
    formulas: content.querySelectorAll(".katex").length,
    inCode: inCode.slice(0, 5),
    katexErrors: document.querySelectorAll(".katex-error").length,
    raw: raw.slice(0, 5),
    images,
    width,
    scrollWidth,
    sticking: sticking.slice(0, 5),
  };
}"""


# Code blocks whose copy button would cover some of their text (the code's first
# line, or a long title), as the reader sees them with every collapsed block
# opened. The theme adds a block's buttons only when the block comes on screen;
# here each block gets a stand-in with the theme's own classes, placed by the
# site's stylesheets exactly as the real one, and taken out again.
COVERED_BY_BUTTONS = r"""() => {
  // All changes first, then all measurements: the page is laid out once.
  const closed = [...document.querySelectorAll(".md-content details:not([open])")];
  for (const details of closed) details.open = true;
  const standIns = [];
  const blocks = [...document.querySelectorAll(".md-content pre > code")].map((code) => {
    const pre = code.parentElement;
    let nav = pre.querySelector(":scope > .md-code__nav");
    if (!nav) {
      nav = document.createElement("nav");
      nav.className = "md-code__nav";
      nav.innerHTML = '<button class="md-code__button" data-md-type="copy"></button>';
      pre.prepend(nav);
      standIns.push(nav);
    }
    return { block: pre.closest(".highlight") || pre, nav };
  });
  // A lab's cells (mkdocs-jupyter) have a copy button of their own, over the cell's code.
  for (const area of document.querySelectorAll(".jp-InputArea")) {
    const nav = area.querySelector(".zeroclipboard-container");
    const code = area.querySelector(".highlight-ipynb");
    if (nav && code) blocks.push({ block: code, nav });
  }
  const covered = [];
  const range = document.createRange();
  for (const { block, nav } of blocks) {
    const button = nav.getBoundingClientRect();
    const texts = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    let hit = null;
    while (!hit && texts.nextNode()) {
      // Blank text under the button hides nothing.
      if (nav.contains(texts.currentNode) || !/\S/.test(texts.currentNode.nodeValue)) continue;
      range.selectNodeContents(texts.currentNode);
      const rects = range.getClientRects();
      // Text comes in reading order: once below the button, the rest of the block is too.
      if (rects.length && rects[0].top >= button.bottom) break;
      for (const r of rects) {
        if (r.width > 0 && r.left < button.right && r.right > button.left && r.top < button.bottom && r.bottom > button.top) {
          const holder = texts.currentNode.parentElement.closest(".filename, code") || block;
          hit = [holder.matches(".filename") ? "title" : "first line", holder.textContent.split("\n")[0].slice(0, 70)];
          break;
        }
      }
    }
    if (hit) covered.push(hit);
  }
  for (const nav of standIns) nav.remove();
  for (const details of closed) details.open = false;
  return covered;
}"""

# The lowest contrast between a formula (or a coloured part of one) and what is
# behind it, in the colour scheme the page shows now; WCAG AA asks 4.5:1 of text.
# Show a colour scheme as Material's toggle does (with no transition: DRAW_EVERYTHING turned them off).
SHOW_SCHEME = r"""(scheme) => {
  if (document.body.getAttribute("data-md-color-scheme") !== scheme) document.body.setAttribute("data-md-color-scheme", scheme);
}"""

FORMULA_CONTRAST = r"""(scheme) => {
  const shown = document.body.getAttribute("data-md-color-scheme");
  if (shown !== scheme) return { ratio: 0, tex: `(the page shows the scheme ${shown}, not ${scheme})` };
  const rgba = (css) => {
    const m = css.match(/^rgba?\(([^)]+)\)$/);
    if (!m) return null;
    const v = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
  };
  const over = (top, below) => [0, 1, 2].map((i) => top[i] * top[3] + below[i] * (1 - top[3]));
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((x) => { x /= 255; return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  // An element's background: its own colour over its parent's, each element's worked out once.
  const backgrounds = new Map();
  const background = (el) => {
    if (!el) return [255, 255, 255];
    if (!backgrounds.has(el)) {
      const below = background(el.parentElement);
      const c = rgba(getComputedStyle(el).backgroundColor);
      backgrounds.set(el, c ? over(c, below) : below);
    }
    return backgrounds.get(el);
  };
  let worst = null;
  const elements = document.querySelectorAll(".md-content .katex, .md-content .katex [style*='color']");
  for (const el of elements) {
    const fg = rgba(getComputedStyle(el).color);
    if (!fg) return { ratio: 0, tex: `unreadable colour ${getComputedStyle(el).color}` };
    const bg = background(el);
    const [a, b] = [luminance(over(fg, bg)), luminance(bg)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (!worst || ratio < worst.ratio) {
      const formula = el.closest(".katex");
      worst = { ratio, tex: (formula.querySelector("annotation") || formula).textContent.slice(0, 60) };
    }
  }
  return worst;
}"""
SCHEMES = {"light": "default", "dark": "slate"}  # Material's names for the two palettes
MIN_CONTRAST = 4.5


class Recorder:
    """Console errors, failed and foreign requests of one page, as they happen.

    In a tab that opens one page after another (ReadingTab), `next_page` starts a
    new record: a request of the page left behind, cut short by the navigation
    or answered late, is not the next page's.
    """

    def __init__(self, page, origin: str) -> None:
        self.origin = origin
        self.console: list[str] = []
        self.failed: list[str] = []
        self.foreign: list[str] = []
        self.pending: set = set()
        self.made: set = set()  # the requests of the page being recorded
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"uncaught {error}"))
        page.on("request", self._request)
        page.on("requestfinished", lambda request: self.pending.discard(request))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.console.append(f"{message.text}" + (f" (at {where})" if where else ""))

    def _foreign(self, url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https", "ws", "wss") and not url.startswith(self.origin)

    def _request(self, request) -> None:
        self.pending.add(request)
        self.made.add(request)
        if self._foreign(request.url):
            self.foreign.append(f"{request.resource_type} {request.url}")

    def _left_behind(self, request) -> bool:
        return request not in self.made

    def _failed(self, request) -> None:
        self.pending.discard(request)
        if not self._foreign(request.url) and not self._left_behind(request):  # foreign ones are reported once
            self.failed.append(f"{request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400 and not self._left_behind(response.request):
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def next_page(self) -> None:
        """Start the record of the next page opened in the tab (what came before is dropped)."""
        self.pending.clear()
        self.made.clear()
        self.take()

    def take(self) -> list[str]:
        """The problems recorded so far, as sentences; the record starts again empty."""
        found = [f"console error: {text}" for text in self.console]
        found += [f"request failed: {text}" for text in self.failed]
        found += [f"request to another host: {text}" for text in self.foreign]
        self.console, self.failed, self.foreign = [], [], []
        return found

    def settle(self, page, timeout: float = 3.0) -> None:
        """Wait for requests started after `load` (search index, fonts) to end."""
        deadline = time.monotonic() + timeout
        while self.pending and time.monotonic() < deadline:
            page.wait_for_timeout(20)


def _index_without_pages(route) -> None:
    """Answer the request for the search index with the server's answer, its pages left out."""
    import json

    response = route.fetch()
    body = response.text()
    if response.ok:
        body = json.dumps({**json.loads(body), "docs": []})
    route.fulfill(response=response, body=body)


class ReadingTab:
    """One phone tab in which pages are opened one after the other, as a reader follows
    links: each page is a new document, in a renderer that keeps what the pages before
    it parsed and compiled (the theme's stylesheets and scripts), as a browser's does.
    Loading a page costs Chromium a quarter less CPU than in a tab of its own.

    Each page's search (Material's worker) is handed the site's search index with its
    pages left out: the request is made and answered by the server as for a reader, but
    the worker does not index the whole course again for every page, which cost Chromium
    0.2 s of CPU per page (measured: 4.2-4.6 s against 3.2-3.5 s for five pages). What search
    finds is the business of test_search.py, which loads the whole index."""

    def __init__(self, context, base_url: str) -> None:
        self.tab = context.new_page()
        self.base_url = base_url
        self.recorder = Recorder(self.tab, base_url.rstrip("/"))
        self.tab.route("**/search/search_index.json", _index_without_pages)

    def open(self, url: str) -> OpenPage:
        self.tab.set_viewport_size(PHONE["viewport"])  # the page before may have been widened
        self.recorder.next_page()
        return OpenPage(self.tab.context, self.base_url, url, reading=self)

    def close(self) -> None:
        self.tab.close()


class OpenPage:
    """A page loaded in a new tab of `context` (a phone), or in a ReadingTab, its
    requests and console recorded."""

    def __init__(self, context, base_url: str, url: str, reading: ReadingTab | None = None) -> None:
        self.own_tab = reading is None
        self.tab = context.new_page() if reading is None else reading.tab
        self.recorder = Recorder(self.tab, base_url.rstrip("/")) if reading is None else reading.recorder
        # Returns once the page starts to arrive; the browser loads it while the
        # caller does other work (`wait` waits for the load event).
        self.response = self.tab.goto(base_url + url, wait_until="commit")

    def wait(self) -> OpenPage:
        self.tab.wait_for_load_state("load")
        self.tab.bring_to_front()  # a tab behind another gets no animation frames: clicks would stall
        return self

    def problems(self, expected_formulas: int) -> dict[str, list[str]]:
        """Look at a phone width, widen to a desktop, look again; every problem as a sentence.

        Requests and console messages are reported under the width during which
        they happened. The phone is read in the light scheme and the desktop in the dark
        one, each with its formulas' contrast measured; contrast does not depend on the width.
        The page is left in the dark scheme, with every block laid out and every collapsed block open.
        """
        problems: dict[str, list[str]] = {}
        skipped = [f"a heading of the contents is inside a block skipped as the page starts: {heading}"
                   for heading in self.tab.evaluate(SKIPPED_HEADINGS)]
        # Every block laid out and opened once, for both widths and both schemes.
        self.tab.evaluate(DRAW_EVERYTHING)
        # The phone in the light scheme, then the desktop in the dark one: the scheme is switched
        # just before the widening, so that Chromium works the page's style out again once for
        # both (measured on six pages, three alternating rounds: 9.1 s of CPU against 10.0 s when
        # both schemes were measured at the desktop width, switching to the dark one and back).
        for screen, size, scheme in (("phone", PHONE["viewport"], "light"), ("desktop", DESKTOP["viewport"], "dark")):
            self.tab.set_viewport_size(size)
            self.tab.evaluate(SHOW_SCHEME, SCHEMES[scheme])
            found = problems[screen] = []
            if screen == "phone" and (self.response is None or self.response.status != 200):
                found.append(f"the page answered {self.response.status if self.response else 'nothing'}")
            if screen == "phone":
                found += skipped
            state = self.tab.evaluate(PAGE_STATE)
            self.recorder.settle(self.tab)
            found += self.recorder.take()
            found += _state_problems(state, expected_formulas)
            if screen == "phone":  # the narrowest screen: where a copy button covers most
                found += [f"a code block's copy button covers the end of its {part} {text!r}"
                          for part, text in self.tab.evaluate(COVERED_BY_BUTTONS)]
            worst = self.tab.evaluate(FORMULA_CONTRAST, SCHEMES[scheme])
            if worst and worst["ratio"] < MIN_CONTRAST:
                found.append(
                    f"formulas are hard to read in the {scheme} scheme: contrast "
                    f"{worst['ratio']:.2f}:1 (at least {MIN_CONTRAST}:1) for {worst['tex']!r}"
                )
        return problems

    def close(self) -> None:
        if self.own_tab:
            self.tab.close()


def inspect(context, base_url: str, url: str, expected_formulas: int) -> dict[str, list[str]]:
    """The problems of one page, for "phone" and "desktop" (see OpenPage.problems)."""
    page = OpenPage(context, base_url, url).wait()
    try:
        return page.problems(expected_formulas)
    finally:
        page.close()


def smallest_page_with_formulas(site: Path) -> Path:
    """The built page (index.html) with the fewest bytes among those that show formulas."""
    pages = [p for p in site.glob("*/index.html") if 'class="katex"' in p.read_text(encoding="utf-8")]
    pages += [p for p in site.glob("*/*/index.html") if 'class="katex"' in p.read_text(encoding="utf-8")]
    return min(pages, key=lambda p: p.stat().st_size)


def _state_problems(state: dict, expected_formulas: int) -> list[str]:
    problems = []
    if state["formulas"] != expected_formulas:
        problems.append(
            f"{expected_formulas} formulas in the source, {state['formulas']} rendered on the page"
            + (f"; raw TeX in the text: {state['raw']}" if state["raw"] else "")
            + (f"; rendered inside code: {state['inCode']}" if state["inCode"] else "")
        )
    problems += [f"an output scrolls sideways instead of wrapping: {first!r}" for first in state["cutOutputs"]]
    problems += [f"the heading {heading!r} ends with a line that holds only its permalink (hooks/heading_ends.py)"
                 for heading in state["lonelyPermalinks"]]
    if state["katexErrors"]:
        problems.append(f"{state['katexErrors']} KaTeX error element(s) on the page")
    problems += [f"image does not load: {src}" for src in state["images"]]
    if state["scrollWidth"] > state["width"]:
        problems.append(
            f"the page is {state['scrollWidth']} px wide on a {state['width']} px screen; sticking out: "
            + "; ".join(state["sticking"])
        )
    return problems
