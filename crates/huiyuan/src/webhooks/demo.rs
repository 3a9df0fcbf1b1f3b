//! Webhooks in the demo: the province's science-education platform hears every event and
//! 太原市's school database hears its city's applications and new members — registered by
//! the service as the account whose act it is, before the demo's applications move, so their
//! deliveries are on the pages. Nobody listens at the demo addresses: the deliveries show
//! what a receiver that is down looks like (tried, the error kept, retried, then failed and
//! ready to send again); a webhook added with a real receiver's address shows delivered ones.

use super::service::{self, WebhookInput};
use crate::applications::demo::acting;
use crate::state::AppState;

/// Add the two subscriptions; answers how many.
pub async fn seed(state: &AppState) -> anyhow::Result<usize> {
    let plan = [
        ("secretariat", "http://127.0.0.1:9/province-platform/hooks", "省科技教育平台", &super::EVENTS[..]),
        (
            "taiyuan",
            "http://127.0.0.1:9/taiyuan-schools/hooks",
            "太原市学校数据库",
            &["application.status_changed", "member.created"][..],
        ),
    ];
    for (login, url, description, events) in plan {
        let (actor, who) = acting(state, login).await?;
        let input = WebhookInput {
            org: None,
            url: url.into(),
            description: description.into(),
            events: events.iter().map(|e| e.to_string()).collect(),
        };
        service::create(state, &actor, &who, &input)
            .await
            .map_err(|e| anyhow::anyhow!("demo webhook refused: {e}"))?
            .map_err(|e| anyhow::anyhow!("demo webhook refused: {e:?}"))?;
    }
    Ok(plan.len())
}
