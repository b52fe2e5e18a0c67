"""A page object for Label Studio's labeling screen (label-studio 1.23).

Every selector the browser test depends on lives here, so a Label Studio upgrade that
changes the markup breaks one file. Text is selected the way a person does it: the mouse
is pressed on the first character of the span and released on its last one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Locator, Page

# Finds the n-th occurrence of a string in the rendered text of the rich-text containers and
# returns the screen points of its first and last character. Label Studio renders each line
# of a Text tag as a span inside ``.lsf-richtext__container`` and splits text nodes around
# highlighted regions, so the search runs over the joined text nodes of each container
# and maps the match back to (node, offset) pairs.
_JS_SPAN_POINTS = """([needle, occurrence]) => {
  let seen = 0;
  for (const root of document.querySelectorAll('.lsf-richtext__container')) {
    const nodes = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node, joined = '';
    while ((node = walker.nextNode())) { nodes.push([node, joined.length]); joined += node.data; }
    const at = (offset, isEnd) => {
      for (let k = nodes.length - 1; k >= 0; k--) {
        const [n, base] = nodes[k];
        if (isEnd ? base < offset : base <= offset) return [n, offset - base];
      }
      return null;
    };
    let i = -1;
    while ((i = joined.indexOf(needle, i + 1)) !== -1) {
      if (seen++ !== occurrence) continue;
      const [startNode, startOffset] = at(i, false);
      const [endNode, endOffset] = at(i + needle.length, true);
      startNode.parentElement.scrollIntoView({block: 'center'});
      const range = document.createRange();
      range.setStart(startNode, startOffset);
      range.setEnd(endNode, endOffset);
      const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
      const first = rects[0], last = rects[rects.length - 1];
      return {x0: first.left + 1, y0: (first.top + first.bottom) / 2,
              x1: last.right - 1, y1: (last.top + last.bottom) / 2};
    }
  }
  return null;
}"""

# Highlights carry their region id in a class name (``htx-highlight-<id>-<n>``); a region
# split over several text nodes has several highlights.
_JS_REGION_COUNT = """new Set(Array.from(document.querySelectorAll('.htx-highlight'))
  .map(e => Array.from(e.classList).find(c => /^htx-highlight-.+-\\d+$/.test(c)))
  .filter(Boolean).map(c => c.replace(/-\\d+$/, ''))).size"""


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float


class LabelingPage:
    """The labeling screen of one task, opened by an annotator."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")

    # -- navigation -----------------------------------------------------------------------

    def log_in(self, email: str, password: str) -> None:
        """Log in through the login form, as a person does."""
        self.page.goto(f"{self.base_url}/user/login/")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit], input[type=submit]")
        self.page.wait_for_url(lambda url: "/user/login" not in url, timeout=60_000)

    def log_out(self) -> None:
        """End the current session (the next log_in may be someone else)."""
        self.page.goto(f"{self.base_url}/logout")
        self.page.wait_for_url(lambda url: "/user/login" in url, timeout=60_000)

    def open_stream(self, project_id: int) -> None:
        """Start labeling the project's stream ("Label All Tasks"): the server picks the task."""
        self.page.goto(f"{self.base_url}/projects/{project_id}/data?labeling=1")
        self.page.wait_for_selector(".lsf-richtext__line", timeout=60_000)
        self.close_instructions()

    def open_task(self, project_id: int, task_id: int) -> None:
        """Open the labeling screen of one task and wait until its text is drawn."""
        self.page.goto(f"{self.base_url}/projects/{project_id}/data?task={task_id}")
        self.page.wait_for_selector(".lsf-richtext__line", timeout=60_000)
        self.close_instructions()

    def close_instructions(self) -> None:
        """Close the instructions dialog if the project shows it on opening a task."""
        dialog = self.page.locator(".lsf-modal-ls__content").filter(has_text="Instructions")
        if dialog.count() and dialog.first.is_visible():
            dialog.first.get_by_role("button", name="Close modal").click()
            dialog.first.wait_for(state="hidden")

    def instructions_text(self) -> str:
        """Open the project's instructions from the top bar; return their text and close them."""
        self.page.get_by_role("button", name="Instructions").click()
        dialog = self.page.locator(".lsf-modal-ls__content").filter(has_text="Instructions").first
        dialog.wait_for()
        text = dialog.inner_text()
        dialog.get_by_role("button", name="Close modal").click()
        dialog.wait_for(state="hidden")
        return text

    # -- spans ------------------------------------------------------------------------------

    def span_points(self, needle: str, occurrence: int = 0) -> tuple[Point, Point]:
        """Screen points on the first and the last character of ``needle`` in the task text."""
        found: dict[str, float] | None = self.page.evaluate(_JS_SPAN_POINTS, [needle, occurrence])
        if found is None:
            raise AssertionError(
                f"{needle!r} (occurrence {occurrence}) is not in the rendered task text; "
                "check the task's data.text and the text the test looks for"
            )
        return Point(found["x0"], found["y0"]), Point(found["x1"], found["y1"])

    def choose_label(self, value: str) -> None:
        """Click a span label (trigger type, entity type or stance target) by its exact value."""
        exact = re.compile(f"^{re.escape(value)}$")
        self.page.locator(".lsf-label").filter(has=self.page.locator(".lsf-label__text", has_text=exact)).click()

    def drag_select(self, needle: str, occurrence: int = 0) -> None:
        """Select ``needle`` in the text with the mouse: press on its first character, release on its last."""
        start, end = self.span_points(needle, occurrence)
        mouse = self.page.mouse
        mouse.move(start.x, start.y)
        mouse.down()
        mouse.move((start.x + end.x) / 2, end.y, steps=5)
        mouse.move(end.x, end.y, steps=5)
        mouse.up()

    def label_span(self, value: str, needle: str, occurrence: int = 0) -> None:
        """Choose a label, then select the span with the mouse; waits for the new region."""
        before = self.region_count()
        self.choose_label(value)
        self.drag_select(needle, occurrence)
        self.page.wait_for_function(f"() => ({_JS_REGION_COUNT}) > {before}")

    def region_count(self) -> int:
        """How many regions are highlighted in the text."""
        count: int = self.page.evaluate(f"() => {_JS_REGION_COUNT}")
        return count

    def click_span(self, needle: str, occurrence: int = 0) -> None:
        """Click in the middle of a labelled span (selects its region, or picks a relation end)."""
        start, end = self.span_points(needle, occurrence)
        self.page.mouse.click((start.x + end.x) / 2, start.y)

    # -- per-region and document choices -------------------------------------------------

    def choices_under(self, header_prefix: str) -> Locator:
        """The Choices block that follows the header whose text starts with ``header_prefix``.

        The config puts a Header before every Choices control (stance targets, factuality,
        modes); the same choice values repeat across targets, so a choice is found by its block.
        """
        literal = "concat('" + header_prefix.replace("'", "', \"'\", '") + "', '')"
        return self.page.locator(
            f"xpath=//h4[starts-with(normalize-space(.), {literal})]"
            "/following-sibling::div[contains(concat(' ', @class, ' '), ' lsf-choices ')][1]"
        )

    def visible_headers(self, prefix: str) -> list[str]:
        """The texts of the section headers on screen that start with ``prefix``."""
        headers = self.page.locator("h4").filter(has_text=re.compile(f"^\\s*{re.escape(prefix)}"))
        return [h.inner_text().strip() for h in headers.all() if h.is_visible()]

    def check_choice(self, header_prefix: str, value: str) -> None:
        """Check the radio or checkbox ``value`` in the block under the header ``header_prefix``."""
        block = self.choices_under(header_prefix)
        if block.count() != 1:
            raise AssertionError(
                f"expected one choices block under a header starting {header_prefix!r}, "
                f"found {block.count()}; check the labeling config's headers"
            )
        block.locator(f"input[name='{value}']").check()

    def select_region(self, needle: str, occurrence: int = 0) -> None:
        """Make the region on ``needle`` the selected one (a click on a selected region unselects it)."""
        create = self.page.get_by_role("button", name="Create Relation")
        if not create.is_visible():
            self.click_span(needle, occurrence)
        create.wait_for(state="visible")

    def unselect_region(self, needle: str, occurrence: int = 0) -> None:
        """Unselect the selected region on ``needle`` with a click on it, as a person does."""
        self.click_span(needle, occurrence)
        self.page.get_by_role("button", name="Create Relation").wait_for(state="hidden")

    def create_relation(self, source_needle: str, target_needle: str, role: str) -> None:
        """Link two labelled spans with a relation and give it a role label."""
        self.select_region(source_needle)
        self.page.get_by_role("button", name="Create Relation").click()
        self.click_span(target_needle)
        self.page.locator("#Relations-draggable").click()
        item = self.page.locator(".lsf-relations__item").last
        item.hover()
        item.get_by_role("button", name="Show Relation Labels").click()
        trigger = self.page.locator(".lsf-relation-meta [data-testid^=select-trigger]").last
        trigger.click()
        self.page.get_by_role("option", name=role, exact=True).click()
        self.page.keyboard.press("Escape")

    def submit(self) -> None:
        """Submit the annotation and wait for the server to accept it."""
        with self.page.expect_response(
            lambda r: "/annotations" in r.url and r.request.method == "POST", timeout=60_000
        ) as info:
            self.page.get_by_role("button", name="Submit current annotation").click()
        response = info.value
        if not response.ok:
            raise AssertionError(f"submitting the annotation failed: HTTP {response.status} {response.text()[:300]}")
