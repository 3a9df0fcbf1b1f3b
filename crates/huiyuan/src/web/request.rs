//! What is known about the current request before its handler runs.

use crate::audit::Who;
use crate::auth::Actor;
use crate::auth::session::SessionRecord;
use crate::i18n::{Lang, Msg};

/// Everything known about the current request before the handler runs.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub request_id: String,
    pub client_addr: String,
    pub user_agent: String,
    pub path: String,
    pub lang: Lang,
    pub session: Option<SessionRecord>,
    pub actor: Option<Actor>,
    /// Authenticated by an API token rather than a session cookie.
    pub via_token: bool,
    pub flash: Option<Msg>,
    pub is_api: bool,
}

impl RequestCtx {
    /// The audit identity of this request.
    pub fn who(&self) -> Who {
        Who {
            user_id: self.actor.as_ref().map(|a| a.user_id),
            name: self
                .actor
                .as_ref()
                .map(|a| format!("{} ({})", a.display_name, a.username))
                .unwrap_or_else(|| "anonymous".to_string()),
            client_addr: self.client_addr.clone(),
            request_id: self.request_id.clone(),
        }
    }
}
