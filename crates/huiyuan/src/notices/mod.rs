//! Notices (通知公告) with attachments, published by the secretariat.
//!
//! Invariants: a notice moves draft → published ⇄ withdrawn (`NoticeStatus::transition`);
//! only published notices (and their files) are visible to the public; bodies are Markdown
//! rendered through a sanitiser; attachments are checked by content. The secretariat (and
//! the system administrator) write and publish; everybody reads.

pub mod model;
pub mod query;
pub mod routes;
pub mod service;
pub mod store;
mod views;
