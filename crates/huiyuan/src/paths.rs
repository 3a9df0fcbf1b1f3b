//! Every URL of the product, named once: the router, templates, redirects and tests use
//! these names. Patterns with `{id}` have a function that fills them in.

// Public pages
pub const HOME: &str = "/";
pub const NOTICES: &str = "/notices";
pub const NOTICE: &str = "/notices/{id}";
pub const NOTICE_ATTACHMENT: &str = "/notices/{id}/files/{file_id}";
pub const CONTACT: &str = "/contact";
pub const LANG: &str = "/lang/{code}";

// Accounts
pub const SIGN_IN: &str = "/sign-in";
pub const SIGN_OUT: &str = "/sign-out";
pub const SIGN_UP: &str = "/sign-up";
pub const PASSWORD_FORGOT: &str = "/password/forgot";
pub const PASSWORD_RESET: &str = "/password/reset";
pub const ME: &str = "/me";
pub const ME_SETTINGS: &str = "/me/settings";
pub const ME_PASSWORD: &str = "/me/password";
pub const ME_LANGUAGE: &str = "/me/language";
pub const ME_TOKENS: &str = "/me/tokens";
pub const ME_TOKEN_REVOKE: &str = "/me/tokens/{id}/revoke";

// Joining (applicants)
pub const APPLY: &str = "/apply";
pub const APPLY_INDIVIDUAL: &str = "/apply/individual";
pub const APPLY_GROUP: &str = "/apply/group";
pub const FORM_INDIVIDUAL_PDF: &str = "/forms/individual.pdf";
pub const FORM_INDIVIDUAL_XLSX: &str = "/forms/individual.xlsx";
pub const FORM_GROUP_PDF: &str = "/forms/group.pdf";
pub const FORM_GROUP_XLSX: &str = "/forms/group.xlsx";
pub const APPLICATION: &str = "/applications/{id}";
pub const APPLICATION_EDIT: &str = "/applications/{id}/edit";
pub const APPLICATION_PDF: &str = "/applications/{id}/form.pdf";
pub const APPLICATION_FILES: &str = "/applications/{id}/files";
pub const APPLICATION_FILE: &str = "/applications/{id}/files/{file_id}";
pub const APPLICATION_FILE_REMOVE: &str = "/applications/{id}/files/{file_id}/remove";
pub const APPLICATION_WITHDRAW: &str = "/applications/{id}/withdraw";
pub const ME_MEMBERSHIP: &str = "/me/membership";
pub const ME_CERTIFICATE: &str = "/me/membership/{id}/certificate.pdf";
pub const ME_DATA: &str = "/me/membership/{id}/data.json";
pub const ME_CORRECTION: &str = "/me/membership/{id}/correction";
pub const ME_CENSUS: &str = "/me/membership/{id}/census";
pub const VERIFY: &str = "/verify/{number}";
pub const VERIFY_SEARCH: &str = "/verify";
pub const ME_NOTIFICATIONS: &str = "/me/notifications";
pub const ME_SERVICES: &str = "/me/services";
pub const ME_BOOKINGS_ICS: &str = "/me/services/bookings.ics";
pub const STUDIO: &str = "/studio";
pub const STUDIO_RESOURCE: &str = "/studio/{id}";
pub const STUDIO_RESOURCE_ICS: &str = "/studio/{id}/calendar.ics";
pub const STUDIO_BOOK: &str = "/studio/{id}/book";
pub const STUDIO_BOOKINGS: &str = "/studio/bookings";
pub const STUDIO_BOOKING_CANCEL: &str = "/studio/bookings/{id}/cancel";
pub const ADMIN_STUDIO: &str = "/admin/studio";
pub const ADMIN_STUDIO_DECIDE: &str = "/admin/studio/bookings/{id}/decide";
pub const ADMIN_STUDIO_RESOURCE_NEW: &str = "/admin/studio/resources/new";
pub const ADMIN_STUDIO_RESOURCE: &str = "/admin/studio/resources/{id}";
pub const ADMIN_STUDIO_CLOSED: &str = "/admin/studio/closed-days";
pub const ME_NOTIFICATIONS_READ: &str = "/me/notifications/read";

// Back office
pub const ADMIN: &str = "/admin";
pub const ADMIN_APPLICATIONS: &str = "/admin/applications";
pub const ADMIN_APPLICATION: &str = "/admin/applications/{id}";
pub const ADMIN_APPLICATION_DECISION: &str = "/admin/applications/{id}/decision";
pub const ADMIN_APPLICATION_DOSSIER: &str = "/admin/applications/{id}/dossier";
pub const ADMIN_APPLICATION_ID_NUMBER: &str = "/admin/applications/{id}/id-number";
pub const ADMIN_BATCHES: &str = "/admin/batches";
pub const ADMIN_BATCH: &str = "/admin/batches/{id}";
pub const ADMIN_BATCH_FORWARD: &str = "/admin/batches/{id}/forward";
pub const ADMIN_BATCH_PDF: &str = "/admin/batches/{id}/summary.pdf";
pub const ADMIN_BATCH_XLSX: &str = "/admin/batches/{id}/summary.xlsx";
pub const ADMIN_BATCH_REMOVE: &str = "/admin/batches/{id}/items/{app}/remove";
pub const ADMIN_COUNCIL: &str = "/admin/council";
pub const ADMIN_COUNCIL_NEW: &str = "/admin/council/new";
pub const ADMIN_MEETING: &str = "/admin/council/{id}";
pub const ADMIN_MEETING_VOTES: &str = "/admin/council/{id}/votes";
pub const ADMIN_MEETING_CLOSE: &str = "/admin/council/{id}/close";
pub const ADMIN_MEETING_REMOVE: &str = "/admin/council/{id}/items/{app}/remove";
pub const ADMIN_MEMBERS: &str = "/admin/members";
pub const ADMIN_MEMBERS_CSV: &str = "/admin/members/export.csv";
pub const ADMIN_MEMBERS_XLSX: &str = "/admin/members/export.xlsx";
pub const ADMIN_MEMBERS_IMPORT: &str = "/admin/members/import";
pub const ADMIN_IMPORT: &str = "/admin/members/import/{id}";
pub const ADMIN_IMPORT_TEMPLATE: &str = "/admin/members/import/template.xlsx";
pub const ADMIN_IMPORT_MAPPING: &str = "/admin/members/import/{id}/mapping";
pub const ADMIN_IMPORT_COMMIT: &str = "/admin/members/import/{id}/commit";
pub const ADMIN_IMPORT_XLSX: &str = "/admin/members/import/{id}/verdicts.xlsx";
pub const ADMIN_DUPLICATES: &str = "/admin/members/duplicates";
pub const ADMIN_DUPLICATES_SCAN: &str = "/admin/members/duplicates/scan";
pub const ADMIN_MEMBERS_MERGE: &str = "/admin/members/merge";
pub const ADMIN_CERTIFICATES: &str = "/admin/members/certificates";
pub const ADMIN_CERTIFICATE_BATCH: &str = "/admin/members/certificates/{id}";
pub const ADMIN_CERTIFICATE_BATCH_ZIP: &str = "/admin/members/certificates/{id}/certificates.zip";
pub const ADMIN_MEMBER: &str = "/admin/members/{id}";
pub const ADMIN_MEMBER_STATUS: &str = "/admin/members/{id}/status";
pub const ADMIN_MEMBER_CATEGORY: &str = "/admin/members/{id}/category";
pub const ADMIN_MEMBER_ID_NUMBER: &str = "/admin/members/{id}/id-number";
pub const ADMIN_MEMBER_CERTIFICATE: &str = "/admin/members/{id}/certificate.pdf";
pub const ADMIN_MEMBER_PLAQUE: &str = "/admin/members/{id}/plaque.pdf";
pub const ADMIN_MEMBER_PROPOSALS: &str = "/admin/members/{id}/proposals";
pub const ADMIN_MEMBER_PROPOSAL: &str = "/admin/members/{id}/proposals/{proposal}";
pub const ADMIN_MEMBER_REISSUE: &str = "/admin/members/{id}/reissue";
pub const ADMIN_CENSUSES: &str = "/admin/census";
pub const ADMIN_CENSUS: &str = "/admin/census/{id}";
pub const ADMIN_CENSUS_CONFIRM: &str = "/admin/census/{id}/members/{member}/confirm";
pub const ADMIN_CENSUS_LAPSE: &str = "/admin/census/{id}/lapse";
pub const ADMIN_TARGETS: &str = "/admin/targets";
pub const ADMIN_TARGET: &str = "/admin/targets/{year}/{org}";
pub const ADMIN_PROGRESS: &str = "/admin/progress";
pub const ADMIN_PROGRESS_CITY: &str = "/admin/progress/{year}/{org}";
pub const ADMIN_PROGRESS_XLSX: &str = "/admin/progress/workbook.xlsx";
pub const ADMIN_PROGRESS_PDF: &str = "/admin/progress/summary.pdf";
pub const ADMIN_REPORT: &str = "/admin/progress/{year}/{org}/report";
pub const ADMIN_REPORT_REVIEW: &str = "/admin/progress/{year}/{org}/report/review";
pub const ADMIN_REPORT_FILE: &str = "/admin/progress/{year}/{org}/report/files/{file}";
pub const ADMIN_ORGS: &str = "/admin/orgs";
pub const ADMIN_ORG_NEW: &str = "/admin/orgs/new";
pub const ADMIN_ORG: &str = "/admin/orgs/{id}";
pub const ADMIN_ORG_EDIT: &str = "/admin/orgs/{id}/edit";
pub const ADMIN_ORG_ACTIVATION: &str = "/admin/orgs/{id}/activation";
pub const ADMIN_ORG_DELETE: &str = "/admin/orgs/{id}/delete";
pub const ADMIN_USERS: &str = "/admin/users";
pub const ADMIN_USER_NEW: &str = "/admin/users/new";
pub const ADMIN_USER: &str = "/admin/users/{id}";
pub const ADMIN_USER_GRANT: &str = "/admin/users/{id}/grants";
pub const ADMIN_USER_REVOKE: &str = "/admin/users/{id}/grants/{grant_id}/revoke";
pub const ADMIN_USER_ACTIVATION: &str = "/admin/users/{id}/activation";
pub const ADMIN_USER_RESET: &str = "/admin/users/{id}/password-reset";
pub const ADMIN_NOTICES: &str = "/admin/notices";
pub const ADMIN_NOTICE_NEW: &str = "/admin/notices/new";
pub const ADMIN_NOTICE_EDIT: &str = "/admin/notices/{id}/edit";
pub const ADMIN_NOTICE_STATUS: &str = "/admin/notices/{id}/status";
pub const ADMIN_NOTICE_FILES: &str = "/admin/notices/{id}/files";
pub const ADMIN_NOTICE_FILE_DELETE: &str = "/admin/notices/{id}/files/{file_id}/delete";
pub const ADMIN_AUDIT: &str = "/admin/audit";
pub const ADMIN_AUDIT_ENTRY: &str = "/admin/audit/{id}";
pub const ADMIN_OUTBOX: &str = "/admin/outbox";
pub const ADMIN_OUTBOX_MESSAGE: &str = "/admin/outbox/{id}";
pub const ADMIN_OUTBOX_RETRY: &str = "/admin/outbox/{id}/retry";
pub const ADMIN_WEBHOOKS: &str = "/admin/webhooks";
pub const ADMIN_WEBHOOK: &str = "/admin/webhooks/{id}";
pub const ADMIN_WEBHOOK_REMOVE: &str = "/admin/webhooks/{id}/remove";
pub const ADMIN_WEBHOOK_RESEND: &str = "/admin/webhooks/deliveries/{id}/resend";

// Operations
pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";
pub const METRICS: &str = "/metrics";
pub const STATIC: &str = "/static/{file}";

// JSON API
pub const API_OPENAPI: &str = "/api/v1/openapi.json";
pub const API_SESSION: &str = "/api/v1/session";
pub const API_ME: &str = "/api/v1/me";
pub const API_ME_HOME: &str = "/api/v1/me/home";
pub const API_TARGETS: &str = "/api/v1/targets";
pub const API_TARGET: &str = "/api/v1/targets/{year}/{org}";
pub const API_PROGRESS: &str = "/api/v1/progress";
pub const API_PROGRESS_CITY: &str = "/api/v1/progress/{year}/{org}";
pub const API_REPORT: &str = "/api/v1/progress/{year}/{org}/report";
pub const API_REPORT_REVIEW: &str = "/api/v1/progress/{year}/{org}/report/review";
pub const API_STUDIO_RESOURCES: &str = "/api/v1/studio/resources";
pub const API_STUDIO_RESOURCE: &str = "/api/v1/studio/resources/{id}";
pub const API_STUDIO_CLOSED_DAYS: &str = "/api/v1/studio/closed-days";
pub const API_STUDIO_RESOURCE_BOOKINGS: &str = "/api/v1/studio/resources/{id}/bookings";
pub const API_STUDIO_BOOKINGS: &str = "/api/v1/studio/bookings";
pub const API_STUDIO_BOOKING: &str = "/api/v1/studio/bookings/{id}";
pub const API_STUDIO_BOOKING_DECISION: &str = "/api/v1/studio/bookings/{id}/decision";
pub const API_STUDIO_BOOKING_CANCEL: &str = "/api/v1/studio/bookings/{id}/cancel";
pub const API_ORGS: &str = "/api/v1/orgs";
pub const API_ORG: &str = "/api/v1/orgs/{id}";
pub const API_USERS: &str = "/api/v1/users";
pub const API_USER: &str = "/api/v1/users/{id}";
pub const API_USER_GRANTS: &str = "/api/v1/users/{id}/grants";
pub const API_USER_GRANT: &str = "/api/v1/users/{id}/grants/{grant_id}";
pub const API_NOTICES: &str = "/api/v1/notices";
pub const API_NOTICE: &str = "/api/v1/notices/{id}";
pub const API_AUDIT: &str = "/api/v1/audit";
pub const API_MEMBERS: &str = "/api/v1/members";
pub const API_MEMBER: &str = "/api/v1/members/{id}";
pub const API_MEMBERS_CSV: &str = "/api/v1/members/export.csv";
pub const API_MEMBERS_XLSX: &str = "/api/v1/members/export.xlsx";
pub const API_MEMBER_STATUS: &str = "/api/v1/members/{id}/status";
pub const API_MEMBER_CATEGORY: &str = "/api/v1/members/{id}/category";
pub const API_MEMBER_PROPOSALS: &str = "/api/v1/members/{id}/proposals";
pub const API_MEMBER_PROPOSAL: &str = "/api/v1/members/{id}/proposals/{proposal_id}";
pub const API_MEMBER_CERTIFICATE: &str = "/api/v1/members/{id}/certificate.pdf";
pub const API_MEMBER_REISSUE: &str = "/api/v1/members/{id}/certificate/reissue";
pub const API_CENSUSES: &str = "/api/v1/census";
pub const API_CENSUS: &str = "/api/v1/census/{id}";
pub const API_CENSUS_CONFIRM: &str = "/api/v1/census/{id}/members/{member}/confirm";
pub const API_IMPORTS: &str = "/api/v1/imports";
pub const API_IMPORT: &str = "/api/v1/imports/{id}";
pub const API_IMPORT_COMMIT: &str = "/api/v1/imports/{id}/commit";
pub const API_WEBHOOKS: &str = "/api/v1/webhooks";
pub const API_WEBHOOK: &str = "/api/v1/webhooks/{id}";
pub const API_WEBHOOK_DELIVERIES: &str = "/api/v1/webhooks/{id}/deliveries";
pub const API_WEBHOOK_RESEND: &str = "/api/v1/webhooks/deliveries/{id}/resend";
pub const API_VERIFY: &str = "/api/v1/verify/{number}";
pub const API_TOKENS: &str = "/api/v1/tokens";
pub const API_TOKEN: &str = "/api/v1/tokens/{id}";
pub const API_APPLICATIONS: &str = "/api/v1/applications";
pub const API_APPLICATION_CHOICES: &str = "/api/v1/applications/choices";
pub const API_APPLICATION: &str = "/api/v1/applications/{id}";
pub const API_APPLICATION_SUBMIT: &str = "/api/v1/applications/{id}/submit";
pub const API_APPLICATION_WITHDRAW: &str = "/api/v1/applications/{id}/withdraw";
pub const API_APPLICATION_REVIEW: &str = "/api/v1/applications/{id}/review";
pub const API_APPLICATION_DOSSIER: &str = "/api/v1/applications/{id}/dossier";
pub const API_APPLICATION_FILES: &str = "/api/v1/applications/{id}/attachments";
pub const API_APPLICATION_FILE: &str = "/api/v1/applications/{id}/attachments/{file_id}";
pub const API_BATCHES: &str = "/api/v1/batches";
pub const API_BATCH: &str = "/api/v1/batches/{id}";
pub const API_BATCH_FORWARD: &str = "/api/v1/batches/{id}/forward";
pub const API_MEETINGS: &str = "/api/v1/council/meetings";
pub const API_MEETING: &str = "/api/v1/council/meetings/{id}";
pub const API_MEETING_VOTES: &str = "/api/v1/council/meetings/{id}/votes";
pub const API_MEETING_CLOSE: &str = "/api/v1/council/meetings/{id}/close";

/// Fill `{name}` placeholders of a pattern, in order.
pub fn fill(pattern: &str, values: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut rest = pattern;
    let mut values = values.iter();
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        match values.next() {
            Some(v) => out.push_str(&v.to_string()),
            None => out.push_str(&rest[start..start + len + 1]),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// `fill` for the common one-id case.
pub fn with_id(pattern: &str, id: impl std::fmt::Display) -> String {
    fill(pattern, &[&id])
}

/// URL-encode list filters for page links: pairs with empty values are left out.
pub fn encode_filters(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_fill_in_order() {
        assert_eq!(with_id(ADMIN_ORG, 7), "/admin/orgs/7");
        assert_eq!(fill(ADMIN_USER_REVOKE, &[&3, &9]), "/admin/users/3/grants/9/revoke");
        assert_eq!(fill(NOTICE_ATTACHMENT, &[&1]), "/notices/1/files/{file_id}");
    }
}
