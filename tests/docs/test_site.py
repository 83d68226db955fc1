"""The documentation site: built strictly once (tutorials executed in quick mode), then read
as files and in headless Chromium (Debian's, driven by Playwright, served over HTTP so search's
web worker runs).

Skipped when the docs extra (MkDocs, nbclient) or Debian's MathJax is missing; the browser tests
also when Playwright or /usr/bin/chromium is. The site serves its own MathJax (the notebooks'
formulas), so a page asks no other host: the browser answers any such request with nothing and
the tests fail on it, as on any console error.
"""
import functools
import http.server
import json
import os
import pathlib
import re
import subprocess
import sys
import threading
import urllib.parse

import pytest

pytest.importorskip("mkdocs", reason="the docs extra is not installed: pip install -e '.[docs]'")
pytest.importorskip("nbclient", reason="the docs extra is not installed: pip install -e '.[docs]'")

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "tutorials").glob("*.ipynb"))
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
MATHJAX = pathlib.Path("/usr/share/javascript/mathjax")  # docs/hooks.py copies it into the site


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(site folder, executed notebooks folder, build log) of one `docs/build.py` run."""
    if not (MATHJAX / "MathJax.js").exists():
        pytest.skip(f"MathJax is not in {MATHJAX}: apt-get install -y libjs-mathjax")
    folder = tmp_path_factory.mktemp("docs")
    site, executed = folder / "site", folder / "executed"
    run = subprocess.run([sys.executable, str(ROOT / "docs" / "build.py"), "--site", str(site),
                          "--executed", str(executed)], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    if run.returncode != 0:
        pytest.fail(f"docs/build.py failed:\n{run.stdout[-3000:]}\n{run.stderr[-5000:]}")
    return site, executed / "tutorials", run.stdout + run.stderr


def test_build_is_strict_and_makes_every_page(built):
    site, _, log = built
    assert "site built" in log, log  # strict: any MkDocs warning would have failed the build
    dotted = [path.relative_to(ROOT).with_suffix("").parts for path in ROOT.glob("passos/**/*.py")]
    dotted = [parts[:-1] if parts[-1] == "__init__" else parts for parts in dotted]
    modules = {".".join(parts) for parts in dotted if not any(p.startswith("_") for p in parts)}
    assert {"passos", "passos.keras.layers", "passos.compat.v1", "passos.io"} <= modules
    missing = [name for name in modules if not (site / "api" / f"{name}.html").exists()]
    assert not missing, f"no API page for {missing}"
    for notebook in NOTEBOOKS:
        assert (site / "tutorials" / f"{notebook.stem}.html").exists(), notebook.name
    for page in ["index", "getting-started", "architecture", "howto/tf1", "howto/keras",
                 "howto/tensorboard", "howto/saving", "howto/speed"]:
        assert (site / f"{page}.html").exists(), page


def test_the_tutorial_pages_load_mathjax_from_the_site(built):
    site = built[0]
    assert (site / "assets" / "mathjax" / "MathJax.js").is_file()
    assert (site / "assets" / "mathjax" / "config" / "TeX-AMS_CHTML-full.js").is_file()
    for notebook in NOTEBOOKS:
        page = (site / "tutorials" / f"{notebook.stem}.html").read_text(encoding="utf-8")
        sources = re.findall(r'src="([^"]*mathjax[^"]*)"', page, flags=re.IGNORECASE)
        assert sources == ["../assets/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"], \
            (notebook.name, sources)


def test_the_mkdocs_configuration_is_strict():
    """The safety net itself: strict mode and link checks stay on."""
    text = (ROOT / "mkdocs.yml").read_text()
    assert "strict: true" in text
    for check in ["omitted_files: warn", "unrecognized_links: warn", "anchors: warn"]:
        assert check in text


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_every_notebook_ran_top_to_bottom_without_an_error(built, notebook):
    nb = json.loads((built[1] / notebook.name).read_text(encoding="utf-8"))
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    assert [cell["execution_count"] for cell in code] == list(range(1, len(code) + 1))
    errors = [(index, output.get("ename"), output.get("evalue")) for index, cell in enumerate(code)
              for output in cell["outputs"] if output["output_type"] == "error"]
    assert not errors, f"{notebook.name}: code cells with errors {errors}"


def test_the_missing_names_tables_come_from_the_code(built):
    from passos.keras.unsupported import MISSING
    page = (built[0] / "howto" / "keras.html").read_text(encoding="utf-8")
    assert "passos.keras.layers.CuDNNLSTM" in page and len(MISSING["layers"]) >= 5
    assert "<!-- passos:missing" not in page


# -- in the browser -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(built):
    """The site on http://127.0.0.1:PORT/, for the length of the module."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(built[0])))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                                   "(pip install playwright; the browser comes from apt-get "
                                   "install chromium, never playwright install)")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y --no-install-recommends chromium)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    """A fresh page recording console errors, uncaught exceptions and other hosts asked for."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.errors, tab.hosts = [], set()
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))

    def offline(route):
        if route.request.url.startswith(server):
            return route.continue_()
        tab.hosts.add(urllib.parse.urlsplit(route.request.url).hostname)
        route.fulfill(status=200, body="", content_type="text/javascript")

    tab.route("**/*", offline)
    yield tab
    context.close()


def nav_links(page):
    """The absolute URLs of every link in the site's navigation, in order, without repeats."""
    hrefs = page.eval_on_selector_all("nav.md-nav--primary a.md-nav__link[href]",
                                      "links => links.map(a => a.href)")
    return list(dict.fromkeys(href.split("#")[0] for href in hrefs))


def test_every_navigation_link_loads(page, server):
    page.goto(server)
    links = nav_links(page)
    assert len(links) > 20 and all(link.startswith(server) for link in links), links[:5]
    failed = [(link, page.request.get(link).status) for link in links]
    assert not [f for f in failed if f[1] != 200], [f for f in failed if f[1] != 200]
    # every page but the API's in full (scripts and all), and the API's overview and first page
    api = [link for link in links if "/api/" in link]
    for link in [link for link in links if "/api/" not in link] + api[:2]:
        response = page.goto(link)
        assert response.status == 200 and "404" not in page.title(), link
        assert page.locator("article h1").count() >= 1, f"{link} has no title"
    assert not page.errors, page.errors
    assert not page.hosts, f"pages asked other hosts: {page.hosts}"


def test_search_finds_softmax(page, server):
    page.goto(server)
    page.click("label.md-search__icon, .md-search__input")
    page.fill(".md-search__input", "softmax")
    page.wait_for_selector(".md-search-result__item", timeout=20000)
    results = page.eval_on_selector_all(".md-search-result__item a",
                                        "links => links.map(a => a.href)")
    assert any("tutorials/01_perceptron_and_activations" in link for link in results), results
    assert any("/api/" in link for link in results), results
    assert not page.errors, page.errors


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_tutorial_page_shows_its_plots(page, server, built, notebook):
    nb = json.loads((built[1] / notebook.name).read_text(encoding="utf-8"))
    plots = sum("image/png" in output.get("data", {}) for cell in nb["cells"]
                for output in cell.get("outputs", []))
    page.goto(f"{server}tutorials/{notebook.stem}.html")
    sizes = page.eval_on_selector_all(
        "article img", "imgs => imgs.map(i => [i.naturalWidth, i.getBoundingClientRect().width])")
    shown = [size for size in sizes if size[0] > 0 and size[1] > 0]
    assert len(shown) >= plots, f"{notebook.name}: {plots} plots made, {len(shown)} shown {sizes}"
    assert len(shown) == len(sizes), f"{notebook.name}: images that do not show: {sizes}"
    assert not page.errors, page.errors


def test_formulas_are_typeset_offline(page, server):
    """MathJax, served by the site, turns the notebook's $...$ into CommonHTML, asking no other host."""
    page.goto(f"{server}tutorials/01_perceptron_and_activations.html")
    page.wait_for_selector("article .mjx-chtml", timeout=30000)
    page.wait_for_function("window.MathJax && MathJax.Hub.queue.running === 0 && "
                           "MathJax.Hub.queue.pending === 0", timeout=30000)
    typeset = page.locator("article .mjx-chtml").count()
    raw = page.evaluate("""() => Array.from(document.querySelectorAll('article .jp-MarkdownCell'))
        .map(cell => cell.innerText).filter(text => /\\$[^$\\s][^$]*\\$/.test(text))""")
    assert typeset >= 10 and not raw, (typeset, raw[:3])
    assert not page.errors, page.errors
    assert not page.hosts, f"the page asked other hosts: {page.hosts}"


def test_the_first_tutorial_has_its_three_plots(built):
    nb = json.loads((built[1] / "01_perceptron_and_activations.ipynb").read_text(encoding="utf-8"))
    plots = [output for cell in nb["cells"] for output in cell.get("outputs", [])
             if "image/png" in output.get("data", {})]
    assert len(plots) == 3
    text = "".join("".join(output.get("text", "")) for cell in nb["cells"]
                   for output in cell.get("outputs", []))
    assert "softmax = 0.7442" in text and "softmax = 0.0010" in text
