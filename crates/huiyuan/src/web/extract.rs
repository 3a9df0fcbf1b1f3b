//! The guard ladder: an extractor in a handler's signature *is* its first permission check.
//!
//! - [`Ctx`]: anyone; the request context (who, from where, language).
//! - [`CurrentUser`]: a signed-in user (pages redirect anonymous visitors to sign in; the
//!   API answers 401).
//! - [`Staff`]: a signed-in user with a back-office role (anything but member).
//!
//! Finer, scoped rules (this city, that role, this application) are decided by the domain's
//! query or service, through `auth::policy`, never in a handler.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::request::RequestCtx;
use crate::auth::Actor;
use crate::error::AppError;

pub struct Ctx(pub Arc<RequestCtx>);

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Arc<RequestCtx>>()
            .cloned()
            .map(Ctx)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("request context missing")))
    }
}

/// A signed-in user, with the request context.
pub struct CurrentUser(pub Actor, pub Arc<RequestCtx>);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ctx(ctx) = Ctx::from_request_parts(parts, state).await?;
        match &ctx.actor {
            Some(actor) => Ok(CurrentUser(actor.clone(), ctx.clone())),
            None => Err(AppError::Unauthorized),
        }
    }
}

/// A signed-in user with a back-office role.
pub struct Staff(pub Actor, pub Arc<RequestCtx>);

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let CurrentUser(actor, ctx) = CurrentUser::from_request_parts(parts, state).await?;
        if actor.is_staff() { Ok(Staff(actor, ctx)) } else { Err(AppError::Forbidden) }
    }
}
