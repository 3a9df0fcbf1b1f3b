//! The science studio in the browser: a teacher on a phone finds the studio, reads a
//! resource's week and books a slot; the secretariat approves it at a desk.

use std::time::Duration;

use fantoccini::Locator;

use super::rig::{DEMO_PASSWORD, Rig};

/// A day from six days on (Beijing time) that is not a Sunday, when the room is closed.
fn free_day() -> String {
    let today = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8)).date();
    let mut day = today + time::Duration::days(6);
    if day.weekday() == time::Weekday::Sunday {
        day += time::Duration::days(1);
    }
    day.to_string()
}

#[tokio::test]
async fn a_teacher_books_the_studio_on_a_phone_and_the_secretariat_approves_it() {
    let rig = Rig::start().await;
    rig.sign_in("teacher", DEMO_PASSWORD).await;
    rig.wait_path("/me").await;
    rig.width(375, 812).await;
    rig.open("/studio").await;
    assert!(rig.body().await.contains("多功能活动室") && rig.body().await.contains("科技展厅"));
    rig.both_widths("studio").await;
    rig.width(375, 812).await;
    rig.click(".resource h2 a").await;
    rig.wait_path("/studio/1").await;
    let week = rig.body().await;
    assert!(week.contains("已批准") && week.contains("张伟"), "the teacher sees their own booking by name: {week}");
    rig.both_widths("studio-week").await;
    rig.width(375, 812).await;

    let day = free_day();
    rig.open(&format!("/studio/1/book?day={day}")).await;
    assert!(rig.body().await.contains("您是会员：可预约 30 天内的时段"));
    // Ends before it starts: said in place, what was typed kept.
    rig.choose("starts", "15:00").await;
    rig.choose("ends", "14:00").await;
    rig.choose("purpose", "科技活动").await;
    rig.fill("participants", "25").await;
    rig.click(".form-actions button").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rig.body().await.contains("结束时间须晚于开始时间"));
    assert_eq!(rig.value("participants").await, "25");
    rig.full_shot("studio-book-error-375", 375).await;
    rig.width(375, 812).await;
    rig.choose("ends", "16:30").await;
    rig.click(".form-actions button").await;
    rig.wait_path("/me/services").await;
    assert_eq!(rig.text(".flash").await, "预约已提交，等待秘书处批准");
    assert!(rig.body().await.contains(&format!("{day} 15:00–16:30")));
    rig.assert_no_horizontal_scroll("my services").await;
    rig.both_widths("me-services").await;
    rig.sign_out().await;

    rig.sign_in("secretariat", DEMO_PASSWORD).await;
    rig.wait_path("/admin").await;
    rig.open("/admin/studio").await;
    assert!(rig.body().await.contains(&format!("{day} 15:00–16:30")));
    rig.both_widths("studio-admin").await;
    let approve =
        format!("//div[contains(@class,'booking')][.//span[contains(text(),'{day} 15:00')]]//button[@value='approve']");
    rig.browser.find(Locator::XPath(&approve)).await.unwrap().click().await.unwrap();
    rig.wait_path("/admin/studio").await;
    assert_eq!(rig.text(".flash").await, "已处理");
    rig.stop().await;
}
