//! Members (会员): the registry (会员名册), unified numbers (会员编号) and certificates (会员证).
//!
//! Invariants: a member is created by the standing council's approval of an application, in
//! the same transaction (or, for existing rosters and demos, in bulk with numbers drawn the
//! same way); the number is drawn from a per-(unit, class) sequence, so numbers are unique,
//! never reused, and gap-free even with many approvals at once on several processes; the
//! number never changes. One member per identity (ID document or credit code). Category and
//! status change only through the secretariat's actions, each with a reason, kept as history
//! (`member_event`) beside the membership periods (`member_period`); the search terms
//! (`member_term`) are rewritten with every change of what they index.
//!
//! Who may do what: staff read the registry within their scope (a city administrator their
//! city's members, the province everything); the secretariat changes categories and
//! statuses and reissues certificates; full ID numbers are shown to the secretariat and the
//! member's city, one logged view at a time; a member sees and downloads their own record;
//! anyone may verify a certificate (masked name, rate-limited).

pub mod bulk;
pub mod census;
pub mod cert_batch;
pub mod certificates;
pub mod duplicates;
pub mod export;
pub mod generate;
pub mod import;
pub mod model;
pub mod numbering;
pub mod personal;
pub mod proposals;
pub mod query;
pub mod routes;
pub mod search;
pub mod service;
pub mod store;
pub mod views;

pub use store::Member;
