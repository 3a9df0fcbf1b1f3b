//! The studio's bookings as an iCalendar feed (RFC 5545): a resource's approved bookings for
//! anyone's calendar (what and when, never who), and a person's own bookings.

use super::Booking;

/// Escape a text value (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n")
}

/// A UTC date-time, `20261208T010000Z`.
fn utc(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms / 1000).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Fold a content line at 75 octets (continuation lines start with a space).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// One event per booking: `summary` names it, `host` makes the UIDs unique to this site.
pub fn feed(name: &str, host: &str, bookings: &[(Booking, String)]) -> String {
    let mut out = String::new();
    for line in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//huiyuan//studio//ZH", "CALSCALE:GREGORIAN"] {
        fold(line, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", text(name)), &mut out);
    let stamp = utc(crate::storage::now_ms());
    for (b, summary) in bookings {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:studio-booking-{}@{}", b.id, text(host)), &mut out);
        fold(&format!("DTSTAMP:{stamp}"), &mut out);
        fold(&format!("DTSTART:{}", utc(b.starts_at)), &mut out);
        fold(&format!("DTEND:{}", utc(b.ends_at)), &mut out);
        fold(&format!("SUMMARY:{}", text(summary)), &mut out);
        let status = if b.status().holds_slot() && b.status != "pending" { "CONFIRMED" } else { "TENTATIVE" };
        fold(&format!("STATUS:{status}"), &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_and_text_is_escaped() {
        let mut out = String::new();
        fold(&"展".repeat(40), &mut out);
        assert!(out.lines().all(|l| l.len() <= 75), "{out}");
        assert_eq!(text("a,b;c\nd"), "a\\,b\\;c\\nd");
        assert_eq!(utc(1_796_691_600_000), "20261208T010000Z");
    }
}
