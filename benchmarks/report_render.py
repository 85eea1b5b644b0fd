"""How heavy is report.html for a big run? Render a 20,000-item report and load it in Chromium.

    python benchmarks/report_render.py [--items 20000] [--runs 3] [--keep DIR]

Prints, side by side in one run:
  * time to build the report dict, render HTML / JUnit / markdown, and the HTML size
    (budget: < 15 MB);
  * wall time of ``chromium --headless --dump-dom`` on the report and on a trivial page
    (median of --runs), and the difference: the cost of the report itself (target < 3 s);
  * in-page timings measured with performance.now(): DOMContentLoaded and load of the report,
    the first "Next" on the 20,000-row table (parses the JSON block, builds 50 rows) and a
    text search over all rows.
Needs /usr/bin/chromium for the browser part; the rest runs anywhere.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fixtures_report import large_report  # noqa: E402
from gatekeeper.report.html import render_html  # noqa: E402
from gatekeeper.report.junit import render_junit  # noqa: E402
from gatekeeper.report.markdown import render_markdown  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PROBE = """
(function () {
  var body = document.body;
  var acc = document.querySelector("[data-src*='tickets.accuracy']");
  var t0 = performance.now();
  acc.querySelector("[data-next]").click();
  var t1 = performance.now();
  acc.querySelector("[data-search]").value = "refund";
  acc.querySelector("[data-filter]").dispatchEvent(new Event("change"));
  var t2 = performance.now();
  body.setAttribute("data-next-ms", (t1 - t0).toFixed(1));
  body.setAttribute("data-search-ms", (t2 - t1).toFixed(1));
  body.setAttribute("data-search-status", acc.querySelector("[data-status]").textContent);
  window.addEventListener("load", function () {
    var nav = performance.getEntriesByType("navigation")[0];
    body.setAttribute("data-dcl-ms", nav.domContentLoadedEventEnd.toFixed(0));
    body.setAttribute("data-load-ms", performance.now().toFixed(0));
  });
})();
"""


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def load_time(url: str, profile: Path, runs: int) -> tuple[float, str]:
    """Median wall time of ``chromium --dump-dom url`` and the last DOM it printed."""
    times, dom = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
                              capture_output=True, text=True, timeout=300)
        times.append(time.perf_counter() - start)
        dom = done.stdout
    return statistics.median(times), dom


def with_probe(page: str) -> str:
    digest = base64.b64encode(hashlib.sha256(PROBE.encode()).digest()).decode()
    page = page.replace("script-src ", f"script-src 'sha256-{digest}' ", 1)
    return page.replace("</body>", f"<script>{PROBE}</script></body>")


def attr(dom: str, name: str) -> str:
    marker = f'{name}="'
    return dom.split(marker, 1)[1].split('"', 1)[0] if marker in dom else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="directory to keep the HTML in")
    args = parser.parse_args()

    report, t_build = timed(large_report, args.items)
    page, t_html = timed(render_html, report)
    junit, t_junit = timed(render_junit, report)
    summary, t_md = timed(render_markdown, report)
    size_mb = len(page.encode("utf-8")) / 1e6
    print(f"items                     {args.items:,}")
    print(f"build report dict         {t_build:6.2f} s  (includes schema validation)")
    print(f"render HTML               {t_html:6.2f} s  size {size_mb:.2f} MB (budget < 15 MB: "
          f"{'ok' if size_mb < 15 else 'OVER'})")
    print(f"render JUnit              {t_junit:6.2f} s  size {len(junit) / 1e3:.1f} kB")
    print(f"render markdown           {t_md:6.2f} s  size {len(summary):,} chars")
    if not CHROMIUM.exists():
        print("chromium not found at /usr/bin/chromium: browser timings skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        (out / "report.html").write_text(page, encoding="utf-8")
        (out / "trivial.html").write_text("<!DOCTYPE html><title>t</title><p>hello</p>", encoding="utf-8")
        (out / "probe.html").write_text(with_probe(page), encoding="utf-8")
        profile = Path(tmp) / "profile"
        load_time((out / "trivial.html").as_uri(), profile, 1)          # warm the profile
        t_trivial, _ = load_time((out / "trivial.html").as_uri(), profile, args.runs)
        t_report, dom = load_time((out / "report.html").as_uri(), profile, args.runs)
        _, probe = load_time((out / "probe.html").as_uri(), profile, 1)
    root_tag = dom[dom.find("<html"):dom.find(">", dom.find("<html"))]
    ok = 'class="verdict-word">FAIL<' in dom and "data-js-error" not in root_tag
    print(f"chromium --dump-dom trivial page   {t_trivial:6.2f} s  (median of {args.runs})")
    print(f"chromium --dump-dom report.html    {t_report:6.2f} s  (median of {args.runs}; verdict in DOM: {ok})")
    print(f"report load cost (difference)      {t_report - t_trivial:6.2f} s  (target < 3 s: "
          f"{'ok' if t_report - t_trivial < 3 else 'OVER'})")
    print(f"in page: DOMContentLoaded at {attr(probe, 'data-dcl-ms')} ms, load at "
          f"{attr(probe, 'data-load-ms')} ms; first Next on "
          f"{args.items:,} rows {attr(probe, 'data-next-ms')} ms (JSON.parse + 50 rows); "
          f"search 'refund' {attr(probe, 'data-search-ms')} ms -> {attr(probe, 'data-search-status')}")


if __name__ == "__main__":
    main()
