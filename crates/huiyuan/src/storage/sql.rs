//! `Sql`: a small builder for queries whose shape depends on input (filters, scope,
//! pagination). It numbers placeholders `$1, $2, …`, which both backends accept — sqlx's own
//! `QueryBuilder` writes `?` for the portable driver, which PostgreSQL rejects.

use sqlx::any::{Any, AnyArguments, AnyRow};
use sqlx::{Arguments as _, Encode, FromRow, Type};

use super::Conn;

#[derive(Default)]
pub struct Sql {
    text: String,
    args: AnyArguments<'static>,
    count: usize,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql { text: text.to_string(), ..Sql::default() }
    }

    /// Append SQL text.
    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Append a placeholder bound to `value`.
    pub fn bind<T>(&mut self, value: T) -> &mut Sql
    where
        T: for<'q> Encode<'q, Any> + Type<Any> + Send + 'static,
    {
        self.count += 1;
        self.text.push('$');
        self.text.push_str(&self.count.to_string());
        if let Err(e) = self.args.add(value) {
            tracing::error!("cannot bind a query argument: {e}");
        }
        self
    }

    /// Append ` LIMIT n OFFSET m` with the numbers written into the text: PostgreSQL plans a
    /// prepared statement once for all its values only when a limit is known (a placeholder
    /// limit makes every plan for all values look costly, so it plans each execution anew —
    /// 0.1–0.3 ms, more than a search takes to run).
    pub fn page(&mut self, limit: i64, offset: i64) -> &mut Sql {
        self.push(&format!(" LIMIT {limit} OFFSET {offset}"))
    }

    /// Append ` LIMIT n` with the number written into the text (see [`Sql::page`]).
    pub fn limit(&mut self, limit: i64) -> &mut Sql {
        self.push(&format!(" LIMIT {limit}"))
    }

    /// Append `(v1, v2, …)` as placeholders, or `(NULL)` for no values (matching nothing).
    pub fn list<T>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Sql
    where
        T: for<'q> Encode<'q, Any> + Type<Any> + Send + 'static,
    {
        self.push("(");
        let mut any = false;
        for v in values {
            if any {
                self.push(", ");
            }
            self.bind(v);
            any = true;
        }
        if !any {
            self.push("NULL");
        }
        self.push(")")
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text and arguments, for running it another way (a streamed `fetch`).
    pub fn into_parts(self) -> (String, AnyArguments<'static>) {
        (self.text, self.args)
    }

    pub async fn fetch_all<T>(self, conn: &mut Conn) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        sqlx::query_as_with::<_, T, _>(&self.text, self.args).fetch_all(conn).await
    }

    pub async fn execute(self, conn: &mut Conn) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query_with(&self.text, self.args).execute(conn).await?.rows_affected())
    }

    pub async fn fetch_one<T>(self, conn: &mut Conn) -> Result<T, sqlx::Error>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        sqlx::query_as_with::<_, T, _>(&self.text, self.args).fetch_one(conn).await
    }
}

#[cfg(test)]
mod tests {
    use super::Sql;

    #[test]
    fn an_empty_list_matches_nothing() {
        let mut sql = Sql::new("x IN ");
        sql.list(Vec::<i64>::new()).push(" OR y IN ").list([1_i64, 2]);
        assert_eq!(sql.text(), "x IN (NULL) OR y IN ($1, $2)");
    }

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = Sql::new("SELECT 1 FROM t WHERE a = ");
        sql.bind(1_i64).push(" AND b LIKE ").bind("x%".to_string());
        assert_eq!(sql.text(), "SELECT 1 FROM t WHERE a = $1 AND b LIKE $2");
    }
}

/// A `LIKE` pattern matching `q` anywhere, with `%`, `_` and `\` in `q` taken literally.
/// Use it with `LIKE $n ESCAPE '\'`.
pub fn contains_pattern(q: &str) -> String {
    let mut out = String::with_capacity(q.len() + 2);
    out.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// `LOWER(column) LIKE $n ESCAPE '\'`, matching `q` anywhere. ASCII case is ignored on both
/// databases (PostgreSQL's LIKE alone would respect it, SQLite's would not).
pub fn push_contains(sql: &mut Sql, column: &str, q: &str) {
    sql.push("LOWER(").push(column).push(") LIKE ").bind(contains_pattern(&q.to_lowercase())).push(" ESCAPE '\\'");
}

#[cfg(test)]
mod pattern_tests {
    #[test]
    fn wildcards_in_the_query_are_literal() {
        assert_eq!(super::contains_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
