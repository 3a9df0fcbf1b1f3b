//! The public site (home page, contact page) and the back-office landing page (工作台).
//! Everything shown comes from the settings and the database; nothing here changes state.

pub mod home;
pub mod query;
pub mod routes;
mod views;
pub mod workbench;
