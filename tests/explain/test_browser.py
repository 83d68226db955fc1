"""The step-through pages in a real browser: headless Chromium (Debian's) driven by Playwright.

Skipped when Playwright or /usr/bin/chromium is missing; never downloads a browser.
"""
import os
import re

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

try:
    from playwright.sync_api import sync_playwright
except ImportError:
    pytest.skip("playwright is not installed (pip install playwright; the browser comes from "
                "apt-get install chromium, never playwright install)", allow_module_level=True)
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y --no-install-recommends chromium)",
                allow_module_level=True)

from passos.explain import conv2d_steps  # noqa: E402
from passos.explain.cli import IMAGE, KERNEL  # noqa: E402
from passos.explain.html import backprop_html, steps_html  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and uncaught exceptions."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    yield tab
    context.close()


def numbers(text):
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def shown(page, name, part):
    """The numbers a node shows as its value or gradient."""
    return numbers(page.text_content(f'[data-name="{name}"] text.{part}'))


def step(page):
    return int(page.get_attribute("#step-counter", "data-step"))


def test_course_page_walks_forward_and_backward_with_the_course_numbers(page, tmp_path):
    backprop_html(tmp_path / "course.html")
    page.goto((tmp_path / "course.html").as_uri())
    total = int(page.get_attribute("#step-counter", "data-total"))
    assert total == 27 and step(page) == 0
    assert shown(page, "x", "value") == [0.2, 0.7]  # given values show from the start
    assert shown(page, "z", "value") == [] and shown(page, "b", "grad") == []
    page.click("#next")
    page.click("#next")  # W x, then z = W x + b
    assert shown(page, "z", "value") == pytest.approx([0.963, -0.506], abs=1e-3)
    assert shown(page, "h", "value") == []  # not computed yet
    assert "0.963" in page.inner_text("#panel")
    page.keyboard.press("ArrowLeft")
    assert step(page) == 1 and shown(page, "z", "value") == []
    seen = {}
    while step(page) < total:
        before = step(page)
        page.keyboard.press("ArrowRight") if before % 2 else page.click("#next")
        assert step(page) == before + 1
        seen.setdefault(page.text_content("#phase"), step(page))
    assert seen == {"forward": 2, "backward": 12, "summary": 27}
    assert page.is_disabled("#next")
    # the course's numbers, read off the page
    assert shown(page, "z", "value") == pytest.approx([0.963, -0.506], abs=1e-3)
    assert shown(page, "y_hat", "value")[0] == pytest.approx(0.8129, abs=1e-4)
    assert shown(page, "L", "value") == pytest.approx([0.2071], abs=1e-4)
    assert shown(page, "b", "grad") == pytest.approx([-0.1871, 0.1871], abs=1e-4)
    assert shown(page, "h", "grad") == pytest.approx([-0.07142, 0.3103], abs=1e-4)
    assert shown(page, "W", "grad") == pytest.approx([-0.03742, -0.131, 0.03742, 0.131], abs=1e-4)
    panel = page.inner_text("#panel")
    assert "three paths" in panel and "ŷ1 − y1 = 0.8129 − 1 = -0.1871" in panel
    result = page.text_content("[data-result='dL/db1']")
    assert numbers(result) == pytest.approx([-0.1871], abs=1e-4)
    # the summary lights up every path from b to L: 12 edges, 11 nodes (all but W, x, y)
    assert len(page.query_selector_all(".edge.current")) == 12
    lit = {n.get_attribute("data-name") for n in page.query_selector_all(".node.current")}
    assert {"b", "z", "h", "H", "y_hat", "L"} <= lit and not lit & {"W", "x", "y"}
    page.evaluate("window.scrollTo(0, 0); document.querySelector('#view').scrollLeft = 0")
    page.screenshot(path=str(tmp_path / "course.png"), full_page=True)
    assert (tmp_path / "course.png").stat().st_size > 10_000
    # Play runs by itself and pauses; Reset empties the computed values again
    page.click("#reset")
    assert step(page) == 0 and shown(page, "z", "value") == [] and shown(page, "b", "grad") == []
    page.evaluate("window.passosSteps && 0")  # the engine is exposed for debugging
    page.click("#play")
    page.wait_for_function("Number(document.querySelector('#step-counter').dataset.step) >= 2",
                           timeout=5000)
    page.click("#play")
    assert page.text_content("#play") == "Play"
    assert page.errors == []


def test_backward_edges_show_local_derivative_times_incoming(page, tmp_path):
    backprop_html(tmp_path / "course.html")
    page.goto((tmp_path / "course.html").as_uri())
    page.click("#steps li:nth-child(17)")  # the step list jumps: ∂L/∂h via y_hat = h / H
    assert step(page) == 17
    label = page.text_content(".edge.current .edge-label")
    assert label == "[0.3103, 0.3103] × [-1.23, 0] = [-0.3817, 0]"
    assert shown(page, "h", "grad") == pytest.approx([-0.3817, 0], abs=1e-4)
    assert "1 of 3" in page.inner_text("#panel")
    assert page.errors == []


def test_conv_page_slides_nine_windows_to_the_course_output(page, tmp_path):
    steps_html(conv2d_steps(IMAGE, KERNEL), tmp_path / "conv.html")
    page.goto((tmp_path / "conv.html").as_uri())
    assert int(page.get_attribute("#step-counter", "data-total")) == 9
    def outputs():
        return [c.text_content() for c in page.query_selector_all("#output-grid .cell")]

    assert outputs() == [""] * 9
    page.click("#next")
    assert len(page.query_selector_all("#image-grid .cell.window")) == 9
    assert [c.text_content() for c in page.query_selector_all("#products-grid .cell")] == \
        ["0", "3", "4", "0", "0", "0", "0", "1", "4"]
    assert outputs()[0] == "12"
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    assert step(page) == 9
    assert [float(v) for v in outputs()] == [12, 12, 17, 10, 17, 19, 9, 6, 14]
    window = [(int(c.get_attribute("data-r")), int(c.get_attribute("data-c")))
              for c in page.query_selector_all("#image-grid .cell.window")]
    assert sorted(window) == [(r, c) for r in range(2, 5) for c in range(2, 5)]
    assert "14" in page.inner_text("#panel")
    page.screenshot(path=str(tmp_path / "conv.png"), full_page=True)
    page.keyboard.press("ArrowLeft")
    assert outputs()[-1] == "" and outputs()[-2] == "6"
    assert page.errors == []


def test_inline_players_in_one_notebook_page_run_apart(page, tmp_path):
    """Two players as Jupyter shows them (their _repr_html_ in one page): each steps on its own."""
    conv, course = conv2d_steps(IMAGE, KERNEL), backprop_html()
    (tmp_path / "notebook.html").write_text(
        f"<!DOCTYPE html><html><body>{conv._repr_html_()}{course._repr_html_()}</body></html>",
        encoding="utf-8")
    page.goto((tmp_path / "notebook.html").as_uri())
    first, second = page.frame_locator("iframe").nth(0), page.frame_locator("iframe").nth(1)
    for _ in range(3):
        first.locator("#next").click()
    second.locator("#next").click()
    assert first.locator("#step-counter").get_attribute("data-step") == "3"
    assert second.locator("#step-counter").get_attribute("data-step") == "1"
    assert [c.text_content() for c in first.locator("#output-grid .cell").all()][:3] == ["12", "12", "17"]
    assert page.errors == []
