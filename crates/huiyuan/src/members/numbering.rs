//! Drawing unified member numbers.

use crate::config::Settings;
use crate::storage::Conn;

#[derive(Debug, thiserror::Error)]
pub enum NumberError {
    #[error("the sequence of unit {unit} class {class} is used up")]
    Exhausted { unit: i64, class: String },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The next number of (`unit`, `class`), inside the caller's transaction: the sequence row
/// is locked by the UPDATE until commit, so concurrent approvals queue, and a rollback
/// returns the number (no gap).
pub async fn allocate(tx: &mut Conn, settings: &Settings, unit: i64, class: &str) -> Result<String, NumberError> {
    let seq = super::bulk::reserve_numbers(tx, unit, class, 1).await?;
    if seq > settings.numbering.max_sequence() {
        return Err(NumberError::Exhausted { unit, class: class.to_string() });
    }
    Ok(settings.member_number(unit, seq, class))
}
