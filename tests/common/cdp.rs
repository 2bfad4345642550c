//! A small Chrome DevTools Protocol client over `--remote-debugging-pipe`: the browser reads
//! commands from its file descriptor 3 and writes replies and events to 4, each message JSON
//! ended by a NUL byte. No WebSocket, no port, nothing but the headless browser.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A headless browser driven through its debugging pipe, attached to one page.
pub struct Browser {
    child: Child,
    to: ChildStdin,
    from: BufReader<ChildStdout>,
    next_id: u64,
    session: Option<String>,
    /// Every event received so far (console messages, exceptions, requests, …).
    pub events: Vec<Value>,
}

impl Browser {
    /// Starts `browser` headless on `about:blank` and attaches to its page.
    pub fn start(browser: &str) -> Browser {
        // The shell gives the browser our pipes as its descriptors 3 (in) and 4 (out).
        let script = format!(
            "exec {browser} --headless=new --no-sandbox --disable-gpu --no-first-run \
             --hide-scrollbars --window-size=1280,900 --remote-debugging-pipe about:blank \
             3<&0 4>&1 0</dev/null 1>/dev/null 2>/dev/null"
        );
        let mut child = Command::new("bash")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the browser");
        let to = child.stdin.take().expect("pipe to the browser");
        let from = BufReader::new(child.stdout.take().expect("pipe from the browser"));
        let mut browser = Browser {
            child,
            to,
            from,
            next_id: 0,
            session: None,
            events: Vec::new(),
        };
        let targets = browser.call("Target.getTargets", json!({}));
        let page = targets["targetInfos"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["type"] == "page"))
            .expect("a page target")["targetId"]
            .clone();
        let attached = browser.call(
            "Target.attachToTarget",
            json!({ "targetId": page, "flatten": true }),
        );
        browser.session = attached["sessionId"].as_str().map(String::from);
        for domain in ["Runtime", "Log", "Network", "Page"] {
            browser.call(&format!("{domain}.enable"), json!({}));
        }
        browser
    }

    fn read(&mut self) -> Value {
        let mut buf = Vec::new();
        let n = self
            .from
            .read_until(0, &mut buf)
            .expect("read from the browser");
        assert!(n > 0, "the browser closed its pipe");
        buf.pop();
        serde_json::from_slice(&buf).expect("a JSON message")
    }

    /// Sends a command to the page (or the browser before attaching) and returns its result.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).expect("write to the browser");
        loop {
            let reply = self.read();
            if reply["id"] == json!(id) {
                assert!(reply.get("error").is_none(), "{method}: {reply}");
                return reply["result"].clone();
            }
            self.events.push(reply);
        }
    }

    /// Waits for the event `method` (one that arrives after this call).
    pub fn wait_for(&mut self, method: &str) {
        let seen = self.events.len();
        if self.events[seen..].iter().any(|e| e["method"] == method) {
            return;
        }
        loop {
            let message = self.read();
            let done = message["method"] == method;
            self.events.push(message);
            if done {
                return;
            }
        }
    }

    /// Loads `url` and waits for its load event.
    pub fn open(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_for("Page.loadEventFired");
    }

    /// Evaluates `expression` in the page and returns its value.
    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression}: {result}"
        );
        result["result"]["value"].clone()
    }

    /// Evaluates `expression` until it is true (at most `seconds`).
    pub fn wait_until(&mut self, expression: &str, seconds: u64) {
        let end = Instant::now() + Duration::from_secs(seconds);
        while self.eval(expression) != json!(true) {
            assert!(Instant::now() < end, "timed out waiting for {expression}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A real mouse event at page coordinates (`type`: mousePressed, mouseMoved, mouseReleased).
    pub fn mouse(&mut self, kind: &str, x: f64, y: f64, pressed: bool) {
        self.call(
            "Input.dispatchMouseEvent",
            json!({
                "type": kind, "x": x, "y": y, "button": if pressed || kind != "mouseMoved" { "left" } else { "none" },
                "buttons": i32::from(pressed), "clickCount": i32::from(kind != "mouseMoved"),
            }),
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Closing lets the browser end its helper processes; a kill is the fallback.
        let mut close = br#"{"id":999999,"method":"Browser.close"}"#.to_vec();
        close.push(0);
        let _ = self.to.write_all(&close);
        let end = Instant::now() + Duration::from_secs(5);
        while Instant::now() < end {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
