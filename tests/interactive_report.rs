//! The report's interactive figures in headless Chromium, driven through the DevTools
//! protocol: a drag turns a 3-D view, the slider changes the frame, hovering a curve shows
//! its values, and the page logs nothing and requests nothing beyond its own files. With
//! JavaScript off the page shows its static figures.
//!
//! Runs when `chromium` is installed; `UNFOLD_REQUIRE_CHROMIUM=1` makes a missing browser a
//! failure (as in `tests/reproduce_all.rs`).

mod common;

use std::process::Command;

use common::TempDir;
use common::cdp::Browser;
use serde_json::json;

/// The canvas of the first element matching `selector`, as a data URL (its pixels).
fn pixels(selector: &str) -> String {
    format!("document.querySelector({selector:?}).toDataURL()")
}

/// Scrolls the element into the middle of the window and returns its centre.
fn centre(browser: &mut Browser, selector: &str) -> (f64, f64) {
    let at = browser.eval(&format!(
        "(() => {{ const e = document.querySelector({selector:?}); e.scrollIntoView({{block: 'center'}}); \
         const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()"
    ));
    (at[0].as_f64().unwrap(), at[1].as_f64().unwrap())
}

#[test]
fn the_report_turns_scrubs_and_reads_values_offline() {
    let Some(chromium) = common::chromium() else {
        return;
    };
    let tmp = TempDir::new("interactive-report");
    let out = tmp.path().join("results");
    let run = Command::new(env!("CARGO_BIN_EXE_unfold"))
        .args(["reproduce-all", "--profile", "quick", "--backend", "flex"])
        .args(["--only", "spirals3d,building-blocks,sandwich", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for view in [
        "spirals3d/data.view.js",
        "spirals3d/curves.view.js",
        "sandwich/mlpemb_training.view.js",
    ] {
        assert!(out.join(view).is_file(), "{view} missing");
    }
    let page = out.join("index.html").canonicalize().unwrap();
    let url = format!("file://{}", page.display());

    let mut browser = Browser::start(chromium);
    browser.open(&url);
    browser.wait_until("document.body.hasAttribute('data-views')", 20);
    let views = browser.eval("Number(document.body.getAttribute('data-views'))");
    assert!(
        views.as_u64().unwrap() >= 5,
        "only {views} interactive views"
    );
    // The image check runs on `load`, which may come after the views are drawn.
    browser.wait_until("document.body.hasAttribute('data-broken-images')", 20);
    let missing = browser.eval(
        "Array.from(document.querySelectorAll('p.error')).map(p => p.textContent).join('; ')",
    );
    assert_eq!(
        browser.eval("document.body.getAttribute('data-broken-images')"),
        json!("0"),
        "every static figure still loads: {missing}"
    );

    // A drag turns the 3-D view.
    let view3d = ".uv-3d";
    let (x, y) = centre(&mut browser, view3d);
    let before = browser.eval(&pixels(view3d));
    browser.mouse("mousePressed", x, y, true);
    for step in 1..=8 {
        browser.mouse(
            "mouseMoved",
            x + 10.0 * f64::from(step),
            y + 4.0 * f64::from(step),
            true,
        );
    }
    browser.mouse("mouseReleased", x + 80.0, y + 32.0, false);
    assert_ne!(
        browser.eval(&pixels(view3d)),
        before,
        "the drag did not turn the view"
    );

    // The slider shows another frame.
    let frames = ".uv-widget[data-frame]";
    let last = browser.eval(&format!(
        "document.querySelector({frames:?}).getAttribute('data-frame')"
    ));
    let canvas = format!("{frames} .uv-canvas");
    let shown = browser.eval(&pixels(&canvas));
    browser.eval(&format!(
        "(() => {{ const s = document.querySelector({frames:?}).querySelector('.uv-slider'); \
         s.value = '0'; s.dispatchEvent(new Event('input')); return true; }})()"
    ));
    assert_ne!(
        browser.eval(&format!(
            "document.querySelector({frames:?}).getAttribute('data-frame')"
        )),
        last
    );
    assert_ne!(
        browser.eval(&pixels(&canvas)),
        shown,
        "the frame did not change"
    );

    // Hovering a curve shows its values.
    let curves = ".uv-cell:has(.uv-tip) .uv-canvas";
    let (x, y) = centre(&mut browser, curves);
    browser.mouse("mouseMoved", x, y, false);
    // Mouse moves reach the page with the next frame.
    browser.wait_until(
        "!document.querySelector('.uv-cell:has(.uv-tip) .uv-tip').hidden",
        5,
    );
    let tip = browser.eval(
        "(() => { const t = document.querySelector('.uv-cell:has(.uv-tip) .uv-tip'); \
         return t.hidden ? '' : t.textContent; })()",
    );
    let tip = tip.as_str().unwrap_or_default().to_string();
    assert!(
        tip.chars().any(|c| c.is_ascii_digit()),
        "no value shown on hover: {tip:?}"
    );

    // A legend entry hides its curve.
    let curve_pixels = browser.eval(&pixels(curves));
    browser.eval("document.querySelector('.uv-cell:has(.uv-tip) .uv-entry').click(), true");
    assert_ne!(
        browser.eval(&pixels(curves)),
        curve_pixels,
        "the legend did not hide a curve"
    );

    // Nothing logged, nothing thrown, nothing fetched but the page's own files.
    let complaints: Vec<String> = browser
        .events
        .iter()
        .filter(|e| {
            matches!(
                e["method"].as_str(),
                Some("Runtime.consoleAPICalled" | "Runtime.exceptionThrown" | "Log.entryAdded")
            )
        })
        .map(|e| e["params"].to_string())
        .collect();
    assert!(complaints.is_empty(), "console: {complaints:?}");
    let requests: Vec<String> = browser
        .events
        .iter()
        .filter(|e| e["method"] == "Network.requestWillBeSent")
        .filter_map(|e| e["params"]["request"]["url"].as_str().map(String::from))
        .collect();
    assert!(requests.iter().any(|u| u.ends_with(".view.js")));
    let remote: Vec<&String> = requests
        .iter()
        .filter(|u| !u.starts_with("file://") && !u.starts_with("data:"))
        .collect();
    assert!(remote.is_empty(), "network requests: {remote:?}");

    // Without JavaScript: the static figures, no widget.
    browser.call(
        "Emulation.setScriptExecutionDisabled",
        json!({ "value": true }),
    );
    browser.open(&url);
    let still = browser.eval(
        "[document.querySelectorAll('figure img').length, document.querySelectorAll('.uv-widget').length]",
    );
    assert!(still[0].as_u64().unwrap() > 10, "{still}");
    assert_eq!(still[1], json!(0));
}
