"""What explain returns for Jupyter to show inline: a drawing (SVG) and a step-through page.

A notebook shows an object through its `_repr_svg_` / `_repr_html_` method: `Drawing` is the SVG
text `draw` returns (still a str), `Page` the step-through page `html` / `steps_html` build,
played inline in a sandboxed iframe (scripts inside, no file, no server), and saved with `save`.
"""
import html as html_text
import os

from ..io import atomic_write

PAGE_HEIGHT = 640  # pixels of notebook the inline player takes; it scrolls inside


class Drawing(str):
    """SVG text (a str) that Jupyter displays as the picture."""

    def _repr_svg_(self):
        return str(self)

    def __repr__(self):
        return f"<Drawing: SVG, {len(self):,} characters>"


class Page:
    """A self-contained step-through page: shown inline in Jupyter, or saved as an .html file.

    >>> page = Page("<!DOCTYPE html><html><body>hi</body></html>", "demo")
    >>> 'srcdoc="&lt;!DOCTYPE html&gt;' in page._repr_html_()
    True
    """

    def __init__(self, text, title):
        self.text, self.title = text, title

    def save(self, path):
        """Write the page to `path` (atomically); returns the path as a str."""
        path = os.fspath(path)
        atomic_write(path, self.text)
        return path

    def _repr_html_(self):
        # srcdoc keeps the page's ids, styles and keys apart from the notebook's and other players'
        return (f'<iframe title="{html_text.escape(self.title)}" srcdoc="'
                f'{html_text.escape(self.text, quote=True)}" sandbox="allow-scripts" '
                f'style="width: 100%; height: {PAGE_HEIGHT}px; border: 1px solid #ccc"></iframe>')

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"<Page {self.title!r}: {len(self.text):,} characters of HTML; .save(path) writes it>"
