//! Webhooks in the browser: 太原市's administrator reads the demo's subscription and its
//! deliveries (a receiver that is down), adds one for a new receiver on a phone, copies the
//! secret shown once.

use super::rig::{DEMO_PASSWORD, Rig};

#[tokio::test]
async fn a_city_administrator_follows_and_adds_webhooks_on_a_phone() {
    let rig = Rig::start().await;
    rig.sign_in("taiyuan", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    rig.click("a[href='/admin/webhooks']").await;
    rig.wait_path("/admin/webhooks").await;
    let page = rig.body().await;
    assert!(page.contains("taiyuan-schools") && !page.contains("province-platform"), "the city's own only: {page}");
    rig.both_widths("webhooks").await;
    rig.click("table.list tbody tr:first-child td.ops a").await;
    for _ in 0..50 {
        if rig.browser.current_url().await.unwrap().path().starts_with("/admin/webhooks/") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(rig.body().await.contains("application.status_changed"));
    rig.both_widths("webhook-deliveries").await;
    // A new one, on a phone: no event chosen is said in place, the address kept.
    rig.width(375, 812).await;
    rig.open("/admin/webhooks").await;
    rig.fill("url", "https://schools.taiyuan.example/hooks/huiyuan").await;
    rig.click("#new button[type='submit']").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(rig.body().await.contains("请至少选择一种事件"));
    assert_eq!(rig.value("url").await, "https://schools.taiyuan.example/hooks/huiyuan");
    rig.full_shot("webhook-refused-375", 375).await;
    rig.width(375, 812).await;
    rig.click("input[value='member.created']").await;
    rig.click("#new button[type='submit']").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(rig.text("#secret").await.starts_with("whsec_"));
    rig.assert_no_horizontal_scroll("the secret, once").await;
    rig.full_shot("webhook-created-375", 375).await;
    rig.full_shot("webhook-created-desktop", 1280).await;
    rig.stop().await;
}
