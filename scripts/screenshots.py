"""Take screenshots of the pages with headless Chromium, to look at what we build.

Usage: python scripts/screenshots.py BASE_URL USER PASSWORD OUT_DIR PATH [PATH ...]
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main(base, username, password, out_dir, *paths, width=1440, height=900):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"{base}/login/")
        page.screenshot(path=out / "login.png")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for path in paths:
            page.goto(f"{base}{path}")
            page.wait_for_timeout(1200)
            name = path.strip("/").replace("/", "_") or "home"
            page.screenshot(path=out / f"{username}_{name}.png", full_page=True)
            print(out / f"{username}_{name}.png")
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
