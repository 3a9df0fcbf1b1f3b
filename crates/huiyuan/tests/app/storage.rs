//! Storage: the two dialects define the same schema.

use std::collections::BTreeMap;

/// Table → column names, from a migration file's CREATE TABLE statements.
fn schema(sql: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let mut rest = sql;
    while let Some(i) = rest.find("CREATE TABLE ") {
        let after = &rest[i + "CREATE TABLE ".len()..];
        let name = after.split_whitespace().next().unwrap().to_string();
        let body_start = after.find('(').unwrap() + 1;
        let body_end = after.find("\n)").unwrap();
        let columns = after[body_start..body_end]
            .lines()
            .map(str::trim)
            .filter(|l| {
                !l.is_empty() && !l.starts_with("--") && !l.starts_with("CONSTRAINT") && !l.starts_with("PRIMARY KEY")
            })
            .map(|l| l.split_whitespace().next().unwrap().to_string())
            .collect();
        out.insert(name, columns);
        rest = &after[body_end..];
    }
    out
}

#[test]
fn sqlite_and_postgresql_migrations_have_the_same_tables_and_columns() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut names: Vec<_> = std::fs::read_dir(dir.join("sqlite")).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert!(!names.is_empty());
    for name in names {
        let sqlite = std::fs::read_to_string(dir.join("sqlite").join(&name)).unwrap();
        let postgres = std::fs::read_to_string(dir.join("postgres").join(&name))
            .unwrap_or_else(|_| panic!("{name:?} has no PostgreSQL twin"));
        // A migration may add no table (indexes, triggers); the tables it does add match.
        let (a, b) = (schema(&sqlite), schema(&postgres));
        assert_eq!(a, b, "{name:?} differs between the dialects");
    }
}
