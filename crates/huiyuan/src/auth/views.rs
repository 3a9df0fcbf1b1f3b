//! Page templates for accounts: sign-in, sign-up, password forgotten/reset, the member's
//! own account pages.

use askama::Template;

use super::service::AccountInput;
use super::tokens::TokenRow;
use crate::error::FieldErrors;
use crate::web::PageCtx;

#[derive(Template)]
#[template(path = "auth/sign_in.html")]
pub struct SignInPage {
    pub ctx: PageCtx,
    pub login: String,
    pub next: String,
    /// A refusal shown above the form (never which part was wrong).
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/sign_up.html")]
pub struct SignUpPage {
    pub ctx: PageCtx,
    pub form: AccountInput,
    pub errors: FieldErrors,
    pub min_len: usize,
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
pub struct ForgotPage {
    pub ctx: PageCtx,
    pub login: String,
    pub sent: bool,
    pub minutes: i64,
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
pub struct ResetPage {
    pub ctx: PageCtx,
    pub token: String,
    pub valid: bool,
    pub errors: FieldErrors,
    pub min_len: usize,
}

pub struct GrantView {
    pub role: &'static str,
    pub org: String,
}

/// A person's home (我的): their membership, applications and what waits for them.
#[derive(Template)]
#[template(path = "me/index.html")]
pub struct MePage {
    pub ctx: PageCtx,
    pub display_name: String,
    pub is_staff: bool,
    pub home: crate::site::home::Home,
}

/// The account's details and its settings (password, language, API tokens).
#[derive(Template)]
#[template(path = "me/settings.html")]
pub struct SettingsPage {
    pub ctx: PageCtx,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub mobile: String,
    /// The back-office roles held (a member's or applicant's own role is not listed: their
    /// home says what they are).
    pub grants: Vec<GrantView>,
    pub last_sign_in_at: Option<i64>,
}

#[derive(Template)]
#[template(path = "me/password.html")]
pub struct PasswordPage {
    pub ctx: PageCtx,
    pub errors: FieldErrors,
    pub min_len: usize,
}

#[derive(Template)]
#[template(path = "me/tokens.html")]
pub struct TokensPage {
    pub ctx: PageCtx,
    pub tokens: Vec<TokenRow>,
    pub name: String,
    pub errors: FieldErrors,
    /// The secret of a token just created, shown once.
    pub created: Option<String>,
}

#[derive(Template)]
#[template(path = "me/notifications.html")]
pub struct NotificationsPage {
    pub ctx: PageCtx,
    pub items: Vec<crate::notifications::Notification>,
    pub unread: i64,
}
