"""Draw the app icons (icon-192.png, icon-512.png, icon-maskable-512.png) from icon.svg.

Run from the repository root after changing icon.svg, and commit the PNGs:

    .venv/bin/python static/icons/make_icons.py

Chromium draws the SVG (Debian's /usr/bin/chromium through Playwright), so the
PNGs look as the browser shows the SVG. The drawing keeps to the middle of its
square, so the maskable icon is the same picture with a wider green edge.
"""

from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
SVG = (HERE / "icon.svg").read_text()

# name: (size in pixels, how much of the square the drawing fills)
ICONS = {
    "icon-192.png": (192, 1.0),
    "icon-512.png": (512, 1.0),
    "icon-maskable-512.png": (512, 0.8),
}


def page_html(size: int, scale: float) -> str:
    inner = round(size * scale)
    return (
        "<!doctype html><html><body style='margin:0;background:#1f5c3a'>"
        f"<div style='width:{size}px;height:{size}px;display:grid;place-items:center'>"
        f"<div style='width:{inner}px;height:{inner}px'>"
        + SVG.replace("<svg ", f"<svg width='{inner}' height='{inner}' ", 1)
        + "</div></div></body></html>"
    )


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        for name, (size, scale) in ICONS.items():
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(page_html(size, scale))
            page.screenshot(path=HERE / name, clip={"x": 0, "y": 0, "width": size, "height": size})
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
