//! Recognising constraint violations the same way on both backends, so uniqueness stays the
//! database's job and services turn a violation into a field error (never check-then-insert).

/// Did `e` violate the UNIQUE constraint over `table(columns…)`?
///
/// PostgreSQL names the constraint (`<table>_<col>_<col>_key`, its default naming, which our
/// migrations follow); SQLite names the columns (`UNIQUE constraint failed: t.a, t.b`).
pub fn is_unique_violation(e: &sqlx::Error, table: &str, columns: &[&str]) -> bool {
    let sqlx::Error::Database(db) = e else {
        return false;
    };
    if !matches!(db.kind(), sqlx::error::ErrorKind::UniqueViolation) {
        return false;
    }
    if let Some(name) = db.constraint() {
        return name == format!("{table}_{}_key", columns.join("_"));
    }
    let cols: Vec<String> = columns.iter().map(|c| format!("{table}.{c}")).collect();
    db.message().strip_prefix("UNIQUE constraint failed: ").is_some_and(|rest| rest == cols.join(", "))
}

/// Did `e` violate a foreign key (a row is still referenced, or refers to nothing)?
///
/// SQLite reports an `ON DELETE RESTRICT` refusal as a trigger constraint (extended code
/// 1811), not as a foreign-key one, so its message is checked too.
pub fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = e else {
        return false;
    };
    matches!(db.kind(), sqlx::error::ErrorKind::ForeignKeyViolation)
        || db.message().contains("FOREIGN KEY constraint failed")
}
