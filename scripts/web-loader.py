#!/usr/bin/env python3
"""Join trunk's two builds of the app into one `dist/` whose `index.html` loads, by path, either
the wall alone or the whole app (issue 13, item 10: what the wall route loads stays small; the
other pages load when opened).

    scripts/web-loader.py DIST WALL_DIST

DIST is trunk's build of `index.html` (binary `tocsin-web`, the whole app); WALL_DIST is its
build of `wall.html` (binary `tocsin-wall`, `tocsin_web::WallApp`). The wall's hashed JS and
WebAssembly are copied into DIST, and trunk's loader in `DIST/index.html` (an inline module
script, a modulepreload and a wasm preload, all naming the whole app) is replaced by one that
picks the app from `location.pathname`:

- `/` and `/wall` (`WALL_PATHS`, the routes of `tocsin_web::WallApp`) load the wall alone;
- every other path loads the whole app, and so does a wall path the wall app handed over
  (`sessionStorage["tocsin.wholeApp"]`, set by `tocsin_web::WholeAppPage` before it reloads),
  so the two can never send a page back and forth.

The WebAssembly is fetched while the JS glue loads, and the loader dispatches trunk's
`TrunkApplicationStarted` event (`detail.wasm`: the instance's exports) as trunk's does. Stdlib
only: `scripts/build-web.sh` runs it before any virtualenv exists. Exits 1 with a reason when
trunk's output is not in the shape this script knows (a trunk upgrade), rather than writing a
page that loads nothing.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

WALL_PATHS = ["/", "/wall"]
HANDED_OVER_KEY = "tocsin.wholeApp"

TRUNK_SCRIPT = re.compile(r"<script type=\"module\">\s*import init, \* as bindings from '(/[\w.-]+\.js)';.*?</script>\s*", re.S)
TRUNK_WASM = re.compile(r"module_or_path: '(/[\w.-]+_bg\.wasm)'")
PRELOADS = re.compile(r"<link rel=\"(?:modulepreload|preload)\" href=\"/[\w.-]+\.(?:js|wasm)\"[^>]*>")


def fail(message: str) -> None:
    print(f"web-loader: {message}", file=sys.stderr)
    sys.exit(1)


def trunk_app(html: str, which: str) -> tuple[str, str]:
    """(JS glue, WebAssembly) paths trunk's inline loader in `html` names."""
    script = TRUNK_SCRIPT.search(html)
    wasm = TRUNK_WASM.search(html)
    if not script or not wasm:
        fail(f"{which}: trunk's inline loader (import init … module_or_path) not found; has trunk's output changed?")
    return script.group(1), wasm.group(1)


def loader(apps: dict[str, tuple[str, str]]) -> str:
    entries = ",\n  ".join(f'{name}: ["{js}", "{wasm}"]' for name, (js, wasm) in apps.items())
    return f"""<script type="module">
// Written by scripts/web-loader.py: the wall routes load the wall alone, every other path the whole app.
const WALL_PATHS = {WALL_PATHS!r};
const APPS = {{
  {entries}
}};
const path = location.pathname;
let handedOver = null;
try {{
  handedOver = sessionStorage.getItem("{HANDED_OVER_KEY}");
  sessionStorage.removeItem("{HANDED_OVER_KEY}");
}} catch (_) {{}}
const which = WALL_PATHS.includes(path) && handedOver !== path ? "wall" : "whole";
document.documentElement.dataset.app = which;
const [js, wasmUrl] = APPS[which];
const module = fetch(wasmUrl);
const bindings = await import(js);
const wasm = await bindings.default({{ module_or_path: module }});
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent("TrunkApplicationStarted", {{detail: {{wasm}}}}));
</script>
"""


def main() -> None:
    if len(sys.argv) != 3:
        fail("usage: web-loader.py DIST WALL_DIST")
    dist, wall_dist = Path(sys.argv[1]), Path(sys.argv[2])
    whole_html = (dist / "index.html").read_text()
    wall_html = (wall_dist / "index.html").read_text()
    whole = trunk_app(whole_html, str(dist / "index.html"))
    wall = trunk_app(wall_html, str(wall_dist / "index.html"))
    for asset in wall:
        shutil.copy2(wall_dist / asset.lstrip("/"), dist / asset.lstrip("/"))

    html = TRUNK_SCRIPT.sub("", whole_html, count=1)
    html, preloads = PRELOADS.subn("", html)
    if preloads != 2:
        fail(f"expected trunk's modulepreload and wasm preload in index.html, found {preloads}")
    if "</head>" not in html:
        fail("index.html has no </head>")
    html = html.replace("</head>", loader({"wall": wall, "whole": whole}) + "</head>", 1)
    (dist / "index.html").write_text(html)
    print(f"web-loader: index.html loads {wall[1]} on {', '.join(WALL_PATHS)} and {whole[1]} elsewhere")


if __name__ == "__main__":
    main()
