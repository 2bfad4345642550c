//! Secrets never reach a file, a log or an error message.
//!
//! A secret is the value of an option whose name says so (`--token`, and any option named
//! like a password or secret), the value of [`SECRET_ENV_VARS`], or the `user:password@` part
//! of a URL. [`command_line`] is how unfold records its command line (`manifest.command`);
//! [`text`] scrubs any message before it is shown or written. Values seen in the command line
//! and the environment are remembered ([`remember`]), so a secret that some library quotes
//! back in its own words is scrubbed too.

use std::sync::Mutex;

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Environment variables whose values are secrets.
pub const SECRET_ENV_VARS: &[&str] = &["UNFOLD_REMOTE_TOKEN"];

/// Remembered secrets shorter than this are not searched for in free text (a one-letter token
/// would blank every such letter); they are still redacted where they stand as option values.
const MIN_REMEMBERED_LEN: usize = 4;

static REMEMBERED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Whether an option (`--token`, `--db-password`) carries a secret value.
fn is_secret_option(name: &str) -> bool {
    let name = name.trim_start_matches('-').to_ascii_lowercase();
    ["token", "password", "passwd", "secret", "credential"]
        .iter()
        .any(|word| name.contains(word))
}

/// Remembers `secret`, so that [`text`] scrubs it wherever it appears.
pub fn remember(secret: &str) {
    if secret.len() < MIN_REMEMBERED_LEN {
        return;
    }
    let mut known = REMEMBERED.lock().unwrap_or_else(|e| e.into_inner());
    if !known.iter().any(|k| k == secret) {
        known.push(secret.to_string());
        // Longest first, so that a secret containing another is replaced whole.
        known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    }
}

/// Remembers the secrets of a command line and of the environment (call it once, first thing).
pub fn remember_from<I, S>(args: I)
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    for var in SECRET_ENV_VARS {
        if let Ok(value) = std::env::var(var) {
            remember(&value);
        }
    }
    let mut next_is_secret = false;
    for arg in args {
        let arg = arg.as_ref();
        if std::mem::take(&mut next_is_secret) {
            remember(arg);
            continue;
        }
        match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") && is_secret_option(name) => {
                remember(value)
            }
            _ if arg.starts_with("--") && is_secret_option(arg) => next_is_secret = true,
            _ => {}
        }
        for password in url_passwords(arg) {
            remember(&password);
        }
    }
}

/// The command line `args` as one line to record, with every secret redacted:
/// `--token X` and `--token=X` keep the option and lose the value, URL credentials become
/// `[redacted]@host`, and remembered secrets are scrubbed wherever they stand.
pub fn command_line<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out: Vec<String> = Vec::new();
    let mut next_is_secret = false;
    for arg in args {
        let arg = arg.as_ref();
        if std::mem::take(&mut next_is_secret) {
            out.push(REDACTED.to_string());
            continue;
        }
        let shown = match arg.split_once('=') {
            Some((name, _)) if name.starts_with("--") && is_secret_option(name) => {
                format!("{name}={REDACTED}")
            }
            _ => {
                next_is_secret = arg.starts_with("--") && is_secret_option(arg);
                text(arg)
            }
        };
        out.push(shown);
    }
    out.join(" ")
}

/// `message` with URL credentials, the values of [`SECRET_ENV_VARS`] and every remembered
/// secret replaced by [`REDACTED`].
pub fn text(message: &str) -> String {
    let mut out = urls(message);
    let mut secrets: Vec<String> = SECRET_ENV_VARS
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .filter(|value| value.len() >= MIN_REMEMBERED_LEN)
        .collect();
    secrets.extend(
        REMEMBERED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned(),
    );
    secrets.sort_by_key(|k| std::cmp::Reverse(k.len()));
    for secret in secrets {
        if out.contains(&secret) {
            out = out.replace(&secret, REDACTED);
        }
    }
    out
}

/// `error` and its causes as one redacted line (see [`text`]), `outer: inner: …` as
/// `anyhow`'s `{:#}` writes it, but without a cause whose words the message before it already
/// quotes (an error that both shows its source and returns it would say it twice).
pub fn error(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let words = inner.to_string();
        if !line.contains(&words) {
            line.push_str(": ");
            line.push_str(&words);
        }
        cause = inner.source();
    }
    text(&line)
}

/// Where the authority of each URL in `text` ends: at a path, query, fragment, space or quote.
fn authority_end(rest: &str) -> usize {
    rest.find(|c: char| {
        matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>' | '`') || c.is_whitespace()
    })
    .unwrap_or(rest.len())
}

/// `text` with the `user:password@` part of every `scheme://` URL replaced by
/// `[redacted]@`.
pub fn urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let end = authority_end(tail);
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(userinfo_end) => {
                out.push_str(REDACTED);
                out.push_str(&authority[userinfo_end..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// The credentials (`user:password`, or the user part alone) of every URL in `text`.
fn url_passwords(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let tail = &rest[at + 3..];
        let end = authority_end(tail);
        if let Some(userinfo_end) = tail[..end].rfind('@') {
            let userinfo = &tail[..userinfo_end];
            found.push(userinfo.to_string());
            if let Some((_, password)) = userinfo.split_once(':') {
                found.push(password.to_string());
            }
        }
        rest = &tail[end..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Quoting(std::io::Error);
    impl std::fmt::Display for Quoting {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "cannot write /out: {}", self.0)
        }
    }
    impl std::error::Error for Quoting {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn an_error_line_says_each_cause_once() {
        let quoting = Quoting(std::io::Error::other("disk full"));
        assert_eq!(error(&quoting), "cannot write /out: disk full");
        let io = std::io::Error::other(Quoting(std::io::Error::other("disk full")));
        assert_eq!(error(&io), "cannot write /out: disk full");
        #[derive(Debug)]
        struct Outer(Quoting);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("mnist on flex")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let outer = Outer(Quoting(std::io::Error::other("disk full")));
        assert_eq!(error(&outer), "mnist on flex: cannot write /out: disk full");
    }

    #[test]
    fn option_values_are_redacted_in_both_spellings() {
        let line = command_line([
            "unfold",
            "mnist",
            "--token",
            "hunter2-token",
            "--remote=ws://127.0.0.1:3000",
            "--token=s3cret-value",
            "--db-password",
            "pw",
            "--seed",
            "7",
        ]);
        assert_eq!(
            line,
            "unfold mnist --token [redacted] --remote=ws://127.0.0.1:3000 --token=[redacted] \
             --db-password [redacted] --seed 7"
        );
    }

    #[test]
    fn url_credentials_are_redacted_and_the_host_kept() {
        assert_eq!(
            urls("ws://alice:pa55word@gpu:3000/x and https://bob@mirror.example/data?q=1"),
            "ws://[redacted]@gpu:3000/x and https://[redacted]@mirror.example/data?q=1"
        );
        assert_eq!(urls("no url, just a@b"), "no url, just a@b");
        assert_eq!(
            command_line(["unfold", "--remote", "ws://u:p4ss@h:1,ws://h2:2"]),
            "unfold --remote ws://[redacted]@h:1,ws://h2:2"
        );
    }

    #[test]
    fn remembered_secrets_are_scrubbed_from_any_text() {
        remember_from([
            "unfold",
            "--token",
            "tok-remembered-1",
            "--remote",
            "ws://me:pw-remembered@h:1",
        ]);
        assert_eq!(
            text("server said: bad credential tok-remembered-1 (pw-remembered)"),
            "server said: bad credential [redacted] ([redacted])"
        );
        // Too short to search for in free text; still redacted as an option value.
        remember("ab");
        assert_eq!(text("abc"), "abc");
    }
}
