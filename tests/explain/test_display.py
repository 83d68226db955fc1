"""Jupyter's rich display of explain's objects, checked without Jupyter: each `_repr_*_` is valid
markup and shows what the text or file output shows."""
import html
import json
import re
import xml.etree.ElementTree as ET

import passos
from passos.explain import conv2d_steps, draw, pool2d_steps, trace
from passos.explain.cli import IMAGE, KERNEL
from passos.explain.course import backprop_eager
from passos.explain.display import Drawing, Page
from passos.explain.html import backprop_html, steps_html
from passos.explain.html import html as html_page
from html_table import Checked

def words(text):
    return " ".join(text.split())


def test_trace_html_has_the_text_tables_rows():
    traced = trace(backprop_eager())
    shown = Checked(traced._repr_html_())
    text_rows = [words(line) for line in traced.table().splitlines()
                 if line.startswith("  ") and line.strip()]
    assert [words(" ".join(row)) for row in shown.rows] == text_rows
    assert len(shown.rows) == len(text_rows) > 20
    assert shown.rows[-1] == ["b", "[-0.1871, 0.1871]"]  # the course's dL/db = y_hat - y


def test_a_drawing_is_its_svg_for_jupyter(tmp_path):
    x = passos.tensor([1.0, 2.0], requires_grad=True, name="x")
    loss = (x * x).sum()
    svg = draw(loss, show="both", path=tmp_path / "g.svg")
    assert isinstance(svg, Drawing) and isinstance(svg, str)
    assert svg._repr_svg_() == (tmp_path / "g.svg").read_text(encoding="utf-8")
    root = ET.fromstring(svg._repr_svg_())
    assert root.tag.endswith("svg")
    shown = "".join(root.itertext())
    assert "∂" in shown and "5" in shown  # the value 1 + 4
    assert repr(svg).startswith("<Drawing: SVG")
    assert not hasattr(draw(loss, fmt="dot"), "_repr_svg_")  # DOT text stays plain text


def srcdoc(rich):
    """The page inside the inline player's iframe; the player is checked as HTML first."""
    shown = Checked(rich)
    frames = [attrs for tag, attrs in shown.attrs if tag == "iframe"]
    assert len(frames) == 1 and frames[0]["sandbox"] == "allow-scripts"
    return frames[0]["srcdoc"]


def test_the_step_through_plays_inline_the_page_the_file_holds(tmp_path):
    loss = backprop_eager()
    page = html_page(loss)
    assert isinstance(page, Page)
    path = html_page(loss, tmp_path / "p.html")
    inline = srcdoc(page._repr_html_())
    assert inline == (tmp_path / "p.html").read_text(encoding="utf-8") == str(page)
    assert path == str(tmp_path / "p.html")
    assert inline.startswith("<!DOCTYPE html>") and '<button id="next"' in inline
    assert page.save(tmp_path / "again.html") == str(tmp_path / "again.html")
    course = srcdoc(backprop_html()._repr_html_())
    assert course == open(backprop_html(tmp_path / "c.html"), encoding="utf-8").read()
    assert "paths" in course


def test_conv_and_pool_frames_play_inline(tmp_path):
    conv = conv2d_steps(IMAGE, KERNEL)
    inline = srcdoc(conv._repr_html_())
    assert inline == open(steps_html(conv, tmp_path / "c.html"), encoding="utf-8").read()
    assert inline == str(steps_html(conv))
    data = html.unescape(re.search(r'id="steps-data">(.*?)</script>', inline, re.S).group(1))
    for row in [[12, 12, 17], [10, 17, 19], [9, 6, 14]]:  # the course's output, frame by frame
        for v in row:
            assert f"= {v}" in data
    pool = pool2d_steps(IMAGE, 3, strides=1, padding="same", mode="max")
    pooled = srcdoc(pool._repr_html_())
    assert pooled == str(steps_html(pool)) and "max(" in pooled
    frames = json.loads(re.search(r'id="steps-data">(.*?)</script>', pooled, re.S).group(1))["frames"]
    assert len(frames) == len(pool) == 25
