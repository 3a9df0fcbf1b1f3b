//! The shape of the house, checked: the rules of the README's architecture section that a
//! reading of the code can hold. Each test reads the source tree as text.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, with its path relative to `src/` (always with `/`).
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
        .into_iter()
        // This file names what it looks for.
        .filter(|p| !p.ends_with("shape.rs"))
        .map(|p| {
            let rel = p.strip_prefix(&root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap_or_default())
        })
        .collect()
}

/// The code of a file, comments left out (so prose may name anything).
fn code(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.split("//").next().unwrap_or("")))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect()
}

/// A file that registers handlers: a domain's `routes.rs` or a file of its `routes/` folder,
/// the JSON API's files, and `app.rs`, which assembles them all.
fn is_route_file(rel: &str) -> bool {
    rel == "app.rs" || rel.starts_with("api/") || rel.ends_with("/routes.rs") || rel.contains("/routes/")
}

#[test]
fn no_module_but_the_routes_themselves_and_app_imports_a_routes_module() {
    let mut found = Vec::new();
    for (rel, text) in sources() {
        if is_route_file(&rel) {
            continue;
        }
        for (n, line) in code(&text) {
            let declares =
                line.trim_start().starts_with("pub mod routes;") || line.trim_start().starts_with("mod routes;");
            let names_routes = line.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| w == "routes");
            if names_routes && !declares {
                found.push(format!("{rel}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "only app.rs and route files may use a routes module:\n{}", found.join("\n"));
}

#[test]
fn only_the_binary_s_entry_points_import_the_top_of_the_house() {
    let allowed = ["cli.rs", "main.rs", "lib.rs"];
    let found: Vec<String> = sources()
        .into_iter()
        .filter(|(rel, _)| !allowed.contains(&rel.as_str()) && rel != "app.rs")
        .filter(|(_, text)| {
            code(text).iter().any(|(_, l)| {
                l.match_indices("crate::app")
                    .any(|(i, m)| !l[i + m.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))
            })
        })
        .map(|(rel, _)| rel)
        .collect();
    assert!(found.is_empty(), "these import app.rs (web/, auth/, audit/ and the domains must not): {found:?}");
}

#[test]
fn services_queries_stores_and_models_do_not_import_the_web_layer() {
    let layer = |rel: &str| {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        ["service.rs", "query.rs", "store.rs", "model.rs"].contains(&name) || rel.contains("/store/")
    };
    let found: Vec<String> = sources()
        .into_iter()
        .filter(|(rel, _)| layer(rel))
        .filter(|(_, text)| {
            // `crate::web` itself, not a module whose name begins with it (`crate::webhooks`).
            code(text).iter().any(|(_, l)| {
                l.match_indices("crate::web")
                    .any(|(i, m)| !l[i + m.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))
            })
        })
        .map(|(rel, _)| rel)
        .collect();
    assert!(found.is_empty(), "links and pages are the views' business, not these: {found:?}");
}

#[test]
fn permissions_are_decided_by_the_policy_alone() {
    // Raw role checks and ownership comparisons are the policy's (auth/policy/); everyone
    // else asks it a question with a name.
    let raw = [
        ".has(Role::",
        "applicant_id ==",
        "applicant_id !=",
        "== actor.user_id",
        "actor.user_id ==",
        "!= actor.user_id",
    ];
    let mut found = Vec::new();
    for (rel, text) in sources() {
        if rel.starts_with("auth/") {
            continue;
        }
        for (n, line) in code(&text) {
            if raw.iter().any(|r| line.contains(r)) {
                found.push(format!("{rel}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "permission decided outside auth/policy:\n{}", found.join("\n"));
}

#[test]
fn cpu_work_reaches_the_blocking_pool_through_one_helper() {
    // The renderers take a `cpu::OffRuntime`, which only `cpu::run` and `cpu::here` make; a
    // second way onto the blocking pool would bypass the limit of one piece of work per core.
    let ways = ["spawn_blocking", "block_in_place", "OffRuntime {"];
    let mut found = Vec::new();
    for (rel, text) in sources() {
        if rel == "cpu.rs" {
            continue;
        }
        for (n, line) in code(&text) {
            if ways.iter().any(|w| line.contains(w)) {
                found.push(format!("{rel}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "use crate::cpu::run:\n{}", found.join("\n"));
}

#[test]
fn no_source_file_is_longer_than_600_lines() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter(|(_, text)| text.lines().count() > 600)
        .map(|(rel, text)| format!("{rel}: {} lines", text.lines().count()))
        .collect();
    assert!(long.is_empty(), "split these by what they do: {long:?}");
}

#[test]
fn the_checks_see_the_whole_tree() {
    // A guard that reads nothing passes: make sure it reads the files it guards.
    let files = sources();
    assert!(files.iter().any(|(rel, _)| rel == "app.rs"));
    assert!(files.iter().any(|(rel, _)| rel == "members/routes/list.rs"));
    assert!(files.iter().any(|(rel, _)| rel == "auth/policy/mod.rs"));
    assert!(files.len() > 100, "{} files", files.len());
}
