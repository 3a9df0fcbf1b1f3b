//! Members (会员) and their unified numbers (会员编号).
//!
//! Invariants: a member is created only by the standing council's approval of an
//! application, in the same transaction; the number is drawn from a per-(unit, class)
//! sequence in that transaction, so numbers are unique, never reused, and gap-free even with
//! many approvals at once on several processes; the number never changes. One member per
//! identity (ID document or credit code).

pub mod numbering;
pub mod store;

pub use store::Member;
