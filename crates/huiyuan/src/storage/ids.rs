//! Typed ids: a `UserId` cannot be passed where an `OrgId` is meant.

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type, serde::Serialize, serde::Deserialize)]
        #[sqlx(transparent)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )*};
}

id_type!(
    /// An account (`app_user`).
    UserId,
    /// A node of the organisation tree.
    OrgId,
    /// A role held by a user over an org.
    GrantId,
    /// A notice (通知公告).
    NoticeId,
    /// An uploaded file.
    FileId,
    /// A queued or sent e-mail.
    MailId,
    /// A personal API token.
    TokenId,
    /// A background job.
    JobId,
    /// An audit record.
    AuditId,
    /// A membership application.
    ApplicationId,
    /// An in-app notification.
    NotificationId,
    /// A city's batch of recommendations.
    BatchId,
    /// A standing council meeting.
    MeetingId,
    /// A member.
    MemberId,
    /// A resource of the studio (a room, a space, equipment).
    ResourceId,
    /// A booking of a studio resource.
    BookingId,
    /// A webhook subscription.
    WebhookId,
    /// One event sent (or to send) to one webhook.
    DeliveryId,
);
