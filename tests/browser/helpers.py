"""What every browser test uses: the axe-core check and the screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# ---------------------------------------------------------------------------------------------
# Accessibility

BLOCKING_IMPACTS = ("serious", "critical")


def _describe(violation: dict) -> str:
    lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']}"]
    lines.append(f"  {violation['helpUrl']}")
    for node in violation["nodes"]:
        lines.append(f"    at {' '.join(node['target'])}: {node['html'][:160]}")
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        if summary:
            lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """axe-core on the page as it is now: fail on any serious or critical violation. Minor and
    moderate ones are printed (shown with -s or when the test fails)."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    others = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    if others:
        print(f"axe on {page.url}: minor/moderate findings\n" + "\n".join(map(_describe, others)))
    if blocking:
        report = "\n".join(map(_describe, blocking))
        print(f"axe on {page.url}: serious/critical violations\n{report}")
        pytest.fail(f"axe-core found serious/critical violations on {page.url}:\n{report}")


# ---------------------------------------------------------------------------------------------
# Screenshots

SCREEN_SIZES = {"phone": (360, 800), "desktop": (1280, 800)}


def take_screenshots(page, name: str) -> list[Path]:
    """Full-page screenshots of the current page at phone and desktop widths, as
    test-artifacts/screenshots/<name>-<width>x<height>.png. The window is put back afterwards."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    paths = []
    for width, height in SCREEN_SIZES.values():
        page.set_viewport_size({"width": width, "height": height})
        path = SCREENSHOTS / f"{name}-{width}x{height}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    if before:
        page.set_viewport_size(before)
    return paths
