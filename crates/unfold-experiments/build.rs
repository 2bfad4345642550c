//! Records the git commit unfold is built from as `UNFOLD_GIT_COMMIT`, so results name the
//! source they came from (not whatever repository the user runs unfold in). Outside a git
//! checkout (a crates.io package, a source tarball) it is `unknown`, unless the builder sets
//! `UNFOLD_GIT_COMMIT` in the environment.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=UNFOLD_GIT_COMMIT");
    let commit = std::env::var("UNFOLD_GIT_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| {
            watch_head();
            git(&["rev-parse", "HEAD"])
        })
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=UNFOLD_GIT_COMMIT={}", commit.trim());
}

/// Reruns this script when HEAD moves: `HEAD` itself (a checkout) and the branch it points to
/// (a commit), loose or packed. In a worktree the branch lives in the common git folder.
fn watch_head() {
    let (Some(git_dir), Some(common)) = (
        git(&["rev-parse", "--git-dir"]),
        git(&["rev-parse", "--git-common-dir"]),
    ) else {
        return;
    };
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let absolute = |p: &str| manifest.join(p);
    let (git_dir, common) = (absolute(&git_dir), absolute(&common));
    watch(&git_dir.join("HEAD"));
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch(&common.join(branch));
        watch(&common.join("packed-refs"));
    }
}

fn watch(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

/// The trimmed output of a successful `git` command run in this crate's folder.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(std::env::var("CARGO_MANIFEST_DIR").ok()?)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
}
