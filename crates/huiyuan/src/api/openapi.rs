//! The OpenAPI document of the JSON API.

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::dto::*;
use crate::paths;
use crate::state::Routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "huiyuan API", description = "Membership platform for federated associations. Sign in with POST /api/v1/session (cookie; send X-CSRF-Token on changes) or use a personal token: Authorization: Bearer hy_…"),
    paths(
        super::session::sign_in, super::session::sign_out, super::session::me, super::session::home,
        super::session::list_tokens, super::session::create_token, super::session::revoke_token,
        super::orgs::list, super::orgs::show, super::orgs::create, super::orgs::update,
        super::users::list, super::users::show, super::users::grant, super::users::revoke,
        super::notices::list, super::notices::show, super::notices::create,
        super::audit::list,
        super::members::list, super::members::show, super::members::change_status, super::members::change_category,
        super::members::propose, super::members::decide, super::members::certificate, super::members::reissue,
        super::members::export_csv, super::members::export_xlsx, super::members::verify,
        super::roster::campaigns, super::roster::campaign, super::roster::confirm, super::roster::upload,
        super::roster::batch, super::roster::commit,
        super::webhooks::list, super::webhooks::create, super::webhooks::remove, super::webhooks::deliveries,
        super::webhooks::resend,
        super::studio::resources, super::studio::taken, super::studio::mine, super::studio::book, super::studio::show,
        super::studio::decide, super::studio::cancel, super::studio::create_resource, super::studio::update_resource,
        super::studio::close_day,
        super::targets::targets, super::targets::save, super::targets::progress, super::targets::city,
        super::targets::report, super::targets::hand_in, super::targets::review,
        super::applications::list, super::forms::choices, super::applications::create, super::applications::show, super::applications::change,
        super::applications::submit, super::applications::withdraw, super::applications::files,
        super::applications::upload, super::applications::download,
        super::chain::review, super::chain::dossier, super::chain::batch_list, super::chain::batch_create,
        super::chain::batch_show, super::chain::forward, super::council::meetings, super::council::meeting_create,
        super::council::meeting_show, super::council::votes, super::council::close,
        openapi_json,
    ),
    components(schemas(ErrorBody, ErrorDetail, MeOut, HomeOut, HomeMembershipOut, HomeApplicationOut, HomeBookingOut, HomeActionOut, GrantOut, SignInBody, OrgOut, OrgCreate, OrgPatch, UserOut, GrantCreate, NoticeOut, FileOut, NoticeCreate, AuditOut, TokenOut, TokenCreated, TokenCreate, MemberOut, MemberPage,
        super::members::MemberEventOut, super::members::CertificateOut, super::members::ProposalOut, super::members::MemberDetail,
        super::members::ChangeBody, super::members::ProposalBody, super::members::ProposalDecision, super::members::ReissueBody,
        super::members::VerifyOut, super::roster::CensusOut, super::roster::CensusCity, super::roster::CensusMember,
        super::roster::CensusProgress, super::roster::ConfirmBody, super::roster::ImportOut, super::roster::ImportRowOut,
        super::roster::CommitBody, super::webhooks::WebhookOut, super::webhooks::WebhookCreate,
        super::webhooks::WebhookCreated, super::webhooks::DeliveryOut, super::webhooks::DeliveryPage,
        super::studio::ResourceOut, super::studio::BookingOut, super::studio::BookingCreate, super::studio::DecisionBody,
        super::studio::ResourceIn, super::studio::ClosedDayIn,
        super::targets::TargetOut, super::targets::TargetChange, super::targets::CityYearOut, super::targets::ReportOut,
        super::targets::HandIn, super::targets::ReviewBody,
        super::applications::ApplicationSummary, super::forms::ChoicesOut, super::forms::CityChoice, super::forms::CategoryChoice, super::applications::ApplicationPage, super::applications::EventOut,
        super::applications::AttachmentOut, super::applications::ApplicationOut, super::applications::ApplicationCreate,
        super::chain::ApplicationReview, super::chain::DossierBody, super::chain::BatchOut, super::chain::BatchDetail,
        super::chain::BatchCreate, super::council::MeetingOut, super::council::AgendaOut, super::council::VoteOut,
        super::council::MeetingDetailOut, super::council::MeetingCreate, super::council::VoteIn, super::council::VotesBody,
        super::council::MinutesIn, super::council::CloseBody, super::council::ClosedOut)),
    modifiers(&Security, &OperationIds),
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
            components
                .add_security_scheme("cookie", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("hy_session"))));
        }
    }
}

/// Operation ids are the handlers' names, which repeat across modules (`list`, `show`):
/// prefixed with the operation's tag they are unique, as the specification requires.
struct OperationIds;

impl Modify for OperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for op in ops.into_iter().flatten() {
                let tag = op.tags.as_ref().and_then(|t| t.first()).cloned().unwrap_or_default();
                if let Some(id) = op.operation_id.as_mut().filter(|_| !tag.is_empty()) {
                    *id = format!("{tag}_{id}");
                }
            }
        }
    }
}

pub fn routes() -> Routes {
    Routes::new().get(paths::API_OPENAPI, openapi_json).public()
}

/// The document as a value (tests read it).
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", responses((status = 200, description = "OpenAPI 3.1 document")))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
