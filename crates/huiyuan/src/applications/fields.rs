//! The rules of a form's fields that both application forms share: lengths, choices,
//! identity documents, dates, the reviewing city, and the facts a complete form gives the
//! database.

use crate::domain::ResidentId;
use crate::error::FieldErrors;
use crate::i18n::Msg;
use crate::storage::OrgId;
use crate::text::{has_control, normalize};

/// Identity documents an individual may register with.
pub const ID_TYPES: [(&str, &str); 4] = [
    ("resident_id", "app.id_resident"),
    ("residence_permit", "app.id_residence_permit"),
    ("travel_permit", "app.id_travel_permit"),
    ("passport", "app.id_passport"),
];

/// What a complete form gives the database besides the JSON.
#[derive(Debug, Clone)]
pub struct Facts {
    pub name: String,
    pub identity_key: String,
    pub category: String,
    /// None: province-direct (直接吸纳).
    pub org_id: Option<OrgId>,
}

pub(super) const SHORT: usize = 50;
pub(super) const LINE: usize = 120;
pub(super) const LONG: usize = 3000;

/// The reviewing city chosen (`Some(None)`: province-direct), or None after recording why not.
pub(super) fn city_choice(e: &mut FieldErrors, city: &str, cities: &[OrgId]) -> Option<Option<OrgId>> {
    match city {
        "direct" => Some(None),
        "" => {
            e.add("city", Msg::new("err.required"));
            None
        }
        c => match c.parse::<OrgId>() {
            Ok(id) if cities.contains(&id) => Some(Some(id)),
            _ => {
                e.add("city", Msg::new("err.choice"));
                None
            }
        },
    }
}

/// A well-formed document number for its type, or the field and message.
pub(super) fn check_document(id_type: &str, number: &str) -> Result<String, (&'static str, Msg)> {
    let alnum = |min: usize, max: usize| -> Result<String, (&'static str, Msg)> {
        let s: String = normalize(number).chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        if s.is_empty() {
            return Err(("id_number", Msg::new("err.required")));
        }
        if (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(s)
        } else {
            Err(("id_number", Msg::new("err.document_format")))
        }
    };
    match id_type {
        // 港澳台居民居住证 numbers follow GB 11643 too (region 81/82/83).
        "resident_id" | "residence_permit" => {
            ResidentId::parse(number).map(|id| id.as_str().to_string()).map_err(|m| ("id_number", m))
        }
        "travel_permit" => alnum(8, 11),
        "passport" => alnum(5, 20),
        "" => Err(("id_type", Msg::new("err.required"))),
        _ => Err(("id_type", Msg::new("err.choice"))),
    }
}

pub(super) fn text(e: &mut FieldErrors, field: &'static str, value: &str, max: usize, required: bool) {
    if value.is_empty() {
        if required {
            e.add(field, Msg::new("err.required"));
        }
    } else if value.chars().count() > max {
        e.add(field, Msg::new("err.too_long").arg("max", max));
    } else if max <= LINE && has_control(value) {
        e.add(field, Msg::new("err.invalid_chars"));
    }
}

/// Is `value` one of `options`? Records the error and answers false when not.
pub(super) fn choice<S: AsRef<str>>(
    e: &mut FieldErrors,
    field: &'static str,
    value: &str,
    options: &[S],
    required: bool,
) -> bool {
    if value.is_empty() {
        if required {
            e.add(field, Msg::new("err.required"));
        }
        return false;
    }
    if options.iter().any(|o| o.as_ref() == value) {
        true
    } else {
        e.add(field, Msg::new("err.choice"));
        false
    }
}
