"""The theme's script, as it starts, leaves the class of <html> as the page's <head> set it.

A change to that class once the page's text exists restyles every element drawn: the theme's
stylesheet has rules with [class] in them (`table:not([class]) td > :first-child`), so the browser
cannot tell which elements a change of any class reaches. The theme's script adds "js" and its
focus-visible polyfill's "js-focus-visible"; overrides/main.html sets both in <head>, before the
text exists, so that the script finds them there. A theme upgrade that adds another class fails
here, naming it: add it to that script.
"""

from __future__ import annotations

from browser.reader import PHONE, smallest_page_with_formulas

# Every change of <html>'s class, with whether <body> existed when it was seen (records are
# delivered in order, each with the value before it; the value after it is the next one's before).
RECORD = """
window.__htmlClass = { records: [] }
new MutationObserver((records) => {
  for (const record of records) {
    if (record.target !== document.documentElement) continue
    window.__htmlClass.records.push({ before: record.oldValue, body: !!document.body })
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["class"], attributeOldValue: true })
"""
CHANGES = """() => {
  const records = window.__htmlClass.records
  const after = (index) => index + 1 < records.length ? records[index + 1].before : document.documentElement.className
  return records.map((record, index) => ({ ...record, after: after(index) })).filter((r) => r.before !== r.after)
}"""


def test_the_theme_leaves_the_class_of_html_as_the_head_set_it(browser, base_url, site):
    url = smallest_page_with_formulas(site).parent.relative_to(site).as_posix() + "/"
    context = browser.new_context(**PHONE)
    try:
        tab = context.new_page()
        tab.add_init_script(RECORD)
        tab.goto(base_url + url, wait_until="load")
        # The theme's script has run: its focus-visible polyfill marks <html> with this attribute.
        tab.wait_for_function("document.documentElement.hasAttribute('data-js-focus-visible')")
        changes = tab.evaluate(CHANGES)
        final = tab.evaluate("document.documentElement.className").split()
    finally:
        context.close()
    assert changes and not changes[0]["body"], f"{url}: the <head> did not set the class of <html>: {changes}"
    late = [f"{change['before']!r} -> {change['after']!r}" for change in changes if change["body"]]
    assert not late, (f"{url}: the class of <html> changed once the page's text existed ({'; '.join(late)}); "
                      "set the theme's classes in overrides/main.html's <head> script")
    assert {"js", "js-focus-visible"} <= set(final), final
