"""Every page's title block is plain text and its head block holds no page content: an edit
that lands page markup there (it once put the IKM report's group tables and import form into
the <title> and <head>) shows as garbage in the browser tab and in the page's outline."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"\{% block (title|head) %\}(.*?)\{% endblock", re.S)


def templates():
    for path in sorted(ROOT.glob("*/templates/**/*.html")):
        if ".venv" not in path.parts:
            yield path


def test_title_blocks_are_text_and_head_blocks_hold_no_page_content():
    wrong = []
    for path in templates():
        for name, body in BLOCK.findall(path.read_text(encoding="utf-8")):
            if name == "title" and ("<" in body or "\n" in body):
                wrong.append(f"{path.relative_to(ROOT)}: title")
            if name == "head" and re.search(r"<(table|form|h[1-6]|section|div|p)\b", body):
                wrong.append(f"{path.relative_to(ROOT)}: head")
    assert wrong == []
    assert sum(1 for _ in templates()) > 100
