//! The roster import judges like a city secretary: education below the joining minimum is
//! flagged and imported with a mark only if the city says so; a row without an ID number that
//! is probably someone else is named as such; ID numbers that cannot exist are refused; and
//! the preview says whether the city's numbers will suffice before anyone commits.

use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;

use crate::helpers::*;

const HEADING: [&str; 7] = ["姓名", "身份证号码", "出生日期", "手机", "工作单位", "学历", "会员类别"];

/// The rows of the roster, each with the verdict it must get (counted by the test).
struct Row {
    cells: [String; 7],
    verdict: &'static str,
}

fn row(name: &str, id: &str, birth: &str, mobile: &str, employer: &str, education: &str, verdict: &'static str) -> Row {
    let cells = [name, id, birth, mobile, employer, education, "普通会员"].map(str::to_string);
    Row { cells, verdict }
}

/// A resident ID with a correct check character for any 17 digits.
fn with_check(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = first17.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{first17}{}", C[(sum % 11) as usize])
}

fn roster() -> Vec<Row> {
    let id = |birth: &str, seq: u32| resident_id("140105", birth, seq);
    let mut rows = vec![
        // Sound rows (row 2 onward; the heading is row 1).
        row("张伟", &id("19850612", 123), "", "13800138000", "太原市第五中学", "本科", "new"),
        row("李娜", &id("19880202", 222), "", "13900001111", "太原市实验小学", "大专", "new"),
        row("王芳", &id("19900101", 224), "", "", "太原市第十中学", "硕士", "new"),
        row("刘洋", &id("19791111", 311), "", "", "太原市育英中学", "", "new"),
        row("陈静", &id("19820303", 412), "", "13700002222", "太原市第三中学", "大学本科", "new"),
    ];
    // Education below the minimum (大专): four rows, four spellings.
    for (i, education) in ["中专", "中专", "高中", "职高"].iter().enumerate() {
        let name = ["赵敏", "钱军", "孙杰", "周红"][i];
        rows.push(row(name, &id("19700101", 501 + 2 * i as u32), "", "", "太原市职业学校", education, "flagged"));
    }
    // Ages outside 18–100: a child's number and one of 1920.
    rows.push(row("吴小明", &id("20150601", 611), "", "", "太原市第一小学", "", "flagged"));
    rows.push(row("郑老", &id("19200101", 613), "", "", "退休", "本科", "flagged"));
    // No ID number, but the same name, birth date and employer as row 4 (王芳).
    rows.push(row("王芳", "", "1990-01-01", "", "太原市第十中学", "本科", "probable"));
    // No ID number, but the same name and mobile as a member already registered.
    rows.push(row("冯磊", "", "", "13512345678", "太原市第二中学", "本科", "probable"));
    // No ID number and nobody like them: refused (the settings require one).
    rows.push(row("蒋琳", "", "", "13612340000", "太原市第九中学", "本科", "invalid"));
    // Numbers that cannot exist though their check character is right.
    rows.push(row("韩梅", &with_check("14010520991231001"), "", "", "太原市第四中学", "本科", "invalid"));
    rows.push(row("杨光", &with_check("99010519900307001"), "", "", "太原市第四中学", "本科", "invalid"));
    rows
}

fn workbook(rows: &[Row]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADING.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.cells.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

fn sheet_text(bytes: &[u8], part: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(part).unwrap().read_to_string(&mut text).unwrap();
    text
}

async fn upload(app: &TestApp, city: &Browser, rows: &[Row]) -> i64 {
    let ty = app.fixture.taiyuan.to_string();
    let r = city.upload_with("/admin/members/import", &[("city", &ty)], "花名册.xlsx", workbook(rows)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "upload refused");
    location(&r).rsplit('/').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_import_flags_what_a_city_decides_names_probable_people_and_refuses_impossible_numbers() {
    let app = TestApp::spawn().await;
    let ty = app.fixture.taiyuan;
    let (registered, number) = app
        .add_member(NewMemberSpec {
            name: "冯磊",
            org: Some(ty),
            mobile: "13512345678",
            id_number: &resident_id("140107", "19790505", 33),
            ..NewMemberSpec::default()
        })
        .await;
    let rows = roster();
    keep_sample("roster-judgement.xlsx", &workbook(&rows));
    let expect = |v: &str| rows.iter().filter(|r| r.verdict == v).count() as i64;
    let city = app.login_as(Who::Taiyuan).await;
    let batch = upload(&app, &city, &rows).await;
    let count = |col: &'static str| {
        let app = &app;
        async move { app.scalar(&format!("SELECT {col} FROM import_batch WHERE id = {batch}")).await }
    };
    for (col, verdict) in
        [("new_rows", "new"), ("flagged_rows", "flagged"), ("probable_rows", "probable"), ("invalid_rows", "invalid")]
    {
        assert_eq!(count(col).await, expect(verdict), "{verdict}");
    }
    // Each row's verdict, by row number (the heading is row 1).
    for (i, r) in rows.iter().enumerate() {
        let sql = format!("SELECT verdict FROM import_row WHERE batch_id = {batch} AND row_no = {}", i + 2);
        assert_eq!(app.text(&sql).await.as_deref(), Some(r.verdict), "row {} ({})", i + 2, r.cells[0]);
    }

    // The preview says why, row by row and in its summary line.
    let (status, page) = city.page(&format!("/admin/members/import/{batch}")).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "学历为中专，低于入会要求（大专及以上）",
        "学历为职高，低于入会要求（大专及以上）",
        "年龄 11 岁，不在普通会员的年龄范围（18–100 岁）内",
        "年龄 106 岁",
        "缺少身份证号码；可能与第 4 行是同一人：姓名、出生日期相同",
        &format!("缺少身份证号码；可能与会员 冯磊（{number}）是同一人：姓名、手机相同"),
        "晚于今天，这个号码不可能存在",
        "地区码 990105 不属于任何省级行政区",
        // The summary line.
        "学历低于入会要求 4 行",
        "年龄不在类别范围内 2 行",
        "缺身份证号且疑似重复 2 行",
        "高级会员、普通会员还剩 9,998 个编号，新会员需要 5 个（连同需确认和疑似重复的行最多 11 个）",
    ] {
        assert!(page.contains(text), "the preview says: {text}");
    }
    // Flagged rows can be imported one by one or all at once; probable ones without the
    // required number cannot.
    assert!(page.contains("name=\"flagged_7\"") && page.contains("name=\"flagged_all\""));
    assert!(!page.contains("name=\"probable_13\"") && !page.contains("name=\"probable_14\""));

    // The verdicts workbook says the same: each row's verdict and reasons, and the summary.
    let r = city.get(&format!("/admin/members/import/{batch}/verdicts.xlsx")).await;
    let xlsx = r.bytes().await.unwrap();
    let rows_sheet = sheet_text(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(rows_sheet.contains("需确认") && rows_sheet.contains("学历为中专，低于入会要求（大专及以上）"));
    assert!(rows_sheet.contains("可能与第 4 行是同一人") && rows_sheet.contains("地区码 990105"));
    let summary = xlsx_strings(&xlsx);
    assert!(summary.contains("汇总") || sheet_text(&xlsx, "xl/workbook.xml").contains("汇总"));
    for text in ["学历低于入会要求 4 行", "缺身份证号且疑似重复 2 行", "还剩 9,998 个编号"] {
        assert!(summary.contains(text), "the workbook's summary says: {text}");
    }

    // Numbers that will not suffice: the preview says so before anyone commits, and the
    // commit refuses in the same words, changing nothing.
    let members = app.scalar("SELECT COUNT(*) FROM member").await;
    app.exec("UPDATE number_sequence SET next = 9997 WHERE unit = 101 AND class = 'M'").await;
    let (_, page) = city.page(&format!("/admin/members/import/{batch}")).await;
    let words = "太原市的高级会员、普通会员编号只剩 3 个，本次导入需要 5 个，现在确认会失败。请系统管理员把设置 numbering.sequence_digits 从 4 位调高";
    assert!(page.contains(words), "{page}");
    assert!(page.contains("type=\"submit\" disabled"), "the commit button is off");
    let r = city.post_form(&format!("/admin/members/import/{batch}/commit"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains(words));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member").await, members);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM import_batch WHERE id = {batch} AND status = 'preview'")).await,
        1
    );

    // With room again: the new rows, the flagged ones the city chose (all of them) with their
    // marks; the probable ones without a number stay out.
    app.exec("UPDATE number_sequence SET next = 2 WHERE unit = 101 AND class = 'M'").await;
    let r = city.post_form(&format!("/admin/members/import/{batch}/commit"), &[("flagged_all", "import")]).await;
    assert_redirect(&r, &format!("/admin/members/import/{batch}"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member").await, members + expect("new") + expect("flagged"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member WHERE marks = 'education_below'").await, 4);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member WHERE marks = 'age_outside'").await, 2);
    assert_eq!(app.text("SELECT education FROM member WHERE name = '赵敏'").await.as_deref(), Some("高中（中专）"));
    assert_eq!(app.text("SELECT education FROM member WHERE name = '陈静'").await.as_deref(), Some("本科"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member WHERE name IN ('蒋琳', '韩梅', '杨光')").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member WHERE name = '冯磊'").await, 1, "only the registered one");
    // A bulk write leaves the planner fresh statistics of what it changed (a PostgreSQL may run
    // with autovacuum off, and a million new rows would otherwise be planned as none).
    let analysed = if app.db_url.starts_with("postgres") {
        // Vacuumed too: the pages all-visible again, so counts stay index-only.
        "SELECT COUNT(*) FROM pg_stat_user_tables
         WHERE relname IN ('member', 'member_period', 'member_event') AND last_analyze IS NOT NULL
           AND last_vacuum IS NOT NULL"
    } else {
        "SELECT COUNT(DISTINCT tbl) FROM sqlite_stat1 WHERE tbl IN ('member', 'member_period', 'member_event')"
    };
    // SQLite creates sqlite_stat1 on its first ANALYZE, which runs just after the commit's answer.
    assert!(
        eventually(|| async { app.scalar_if_ready(analysed).await == Some(3) }).await,
        "the import analysed the member tables"
    );

    // The mark is a filter of the registry (page and API alike) and shown on the member's page.
    let (_, list) = city.page("/admin/members?mark=education_below&per_page=100").await;
    for name in ["赵敏", "钱军", "孙杰", "周红"] {
        assert!(list.contains(name), "{name} in the filtered list");
    }
    assert!(!list.contains("张伟") && !list.contains(&format!("/admin/members/{registered}\"")));
    let api = city.api(reqwest::Method::GET, "/api/v1/members?mark=age_outside", None).await;
    assert_eq!(api.json::<serde_json::Value>().await.unwrap()["total"], 2);
    let zm = app.scalar("SELECT id FROM member WHERE name = '赵敏'").await;
    let (_, show) = city.page(&format!("/admin/members/{zm}")).await;
    assert!(show.contains("导入时标注") && show.contains("学历低于入会要求") && show.contains("高中（中专）"));
}

#[tokio::test]
async fn without_the_id_rule_a_row_without_a_number_is_imported_and_the_census_asks_for_it() {
    let app = TestApp::spawn_with(|s| s.import.require_id_number = false).await;
    let ty = app.fixture.taiyuan;
    let rows = vec![
        row("张伟", &resident_id("140105", "19850612", 123), "", "13800138000", "太原市第五中学", "本科", "new"),
        row("蒋琳", "", "1986-04-04", "13612340000", "太原市第九中学", "本科", "new"),
        // The same person twice without a number: the second is named as probably the first.
        row("蒋琳", "", "1986-04-04", "", "太原市第九中学", "", "probable"),
    ];
    let city = app.login_as(Who::Taiyuan).await;
    let batch = upload(&app, &city, &rows).await;
    for (i, r) in rows.iter().enumerate() {
        let sql = format!("SELECT verdict FROM import_row WHERE batch_id = {batch} AND row_no = {}", i + 2);
        assert_eq!(app.text(&sql).await.as_deref(), Some(r.verdict), "row {}", i + 2);
    }
    let (_, page) = city.page(&format!("/admin/members/import/{batch}")).await;
    assert!(page.contains("身份证号码待补") && page.contains("可能与第 3 行是同一人：姓名、出生日期相同"));
    assert!(page.contains("身份证号待补 2 行"), "both rows without a number may be imported");
    assert!(page.contains("name=\"probable_4\""), "the city may import the probable one too");
    let r = city.post_form(&format!("/admin/members/import/{batch}/commit"), &[("probable_4", "skip")]).await;
    assert_redirect(&r, &format!("/admin/members/import/{batch}"));
    let jl = app.scalar("SELECT id FROM member WHERE name = '蒋琳'").await;
    assert_eq!(app.text(&format!("SELECT marks FROM member WHERE id = {jl}")).await.as_deref(), Some("id_to_complete"));
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM member WHERE id = {jl} AND identity_key IS NULL")).await, 1);
    let (_, list) = city.page("/admin/members?mark=id_to_complete").await;
    assert!(list.contains("蒋琳") && !list.contains("张伟"));

    // The census asks the member for it: confirming without it is refused, a number of
    // someone else too; their own completes the record and clears the mark.
    let teacher = app.fixture.user(Who::Teacher);
    app.exec(&format!("UPDATE member SET user_id = {} WHERE id = {jl}", teacher.0)).await;
    let today = app.state.settings.locale.today();
    let close = (today + time::Duration::days(30)).to_string();
    let sec = app.login_as(Who::Secretariat).await;
    let fields = [
        ("title", "2026年会员重新登记"),
        ("opens_on", &today.to_string()),
        ("closes_on", &close),
        ("org", &ty.to_string()),
    ];
    assert_eq!(sec.post_form("/admin/census", &fields).await.status(), StatusCode::SEE_OTHER);
    let me = app.login_as(Who::Teacher).await;
    let (_, page) = me.page("/me/membership").await;
    assert!(page.contains("导入您的会员记录时缺少身份证号码") && page.contains("name=\"id_number\""));
    let url = format!("/me/membership/{jl}/census");
    let keep = [("mobile", "13612340000"), ("email", ""), ("employer", "太原市第九中学")];
    let answer = |extra: &'static [(&'static str, &'static str)]| {
        let mut form: Vec<(&str, &str)> = keep.to_vec();
        form.extend_from_slice(extra);
        form
    };
    let r = me.post_form(&url, &answer(&[("action", "confirm")])).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请补全您的身份证号码后再确认"));
    let taken = resident_id("140105", "19850612", 123);
    let mut form = answer(&[("action", "confirm")]);
    form.push(("id_number", &taken));
    let r = me.post_form(&url, &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("已登记在另一位会员名下"));
    let own = resident_id("140105", "19860404", 226);
    let mut form = answer(&[("action", "confirm")]);
    form.push(("id_number", &own));
    let r = me.post_form(&url, &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.text(&format!("SELECT id_number FROM member WHERE id = {jl}")).await, Some(own.clone()));
    assert_eq!(app.text(&format!("SELECT marks FROM member WHERE id = {jl}")).await.as_deref(), Some(""));
    assert_eq!(app.text(&format!("SELECT gender FROM member WHERE id = {jl}")).await.as_deref(), Some("female"));
}

#[tokio::test]
async fn numbers_that_cannot_exist_are_refused_on_the_application_form() {
    let app = TestApp::spawn().await;
    let teacher = app.login_as(Who::Teacher).await;
    let ty = app.fixture.taiyuan.to_string();
    for (id, words) in
        [(with_check("14010520991231001"), "晚于今天"), (with_check("99010519900307001"), "地区码 990105")]
    {
        let mut form = individual_form("韩梅", &id, &ty);
        form.push(("intent".into(), "submit".into()));
        let r = teacher.post_pairs("/apply/individual", &form).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{id}");
        let html = r.text().await.unwrap();
        assert!(html.contains(words) && html.contains(&id), "the reason, and what was typed: {id}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM application WHERE status = 'submitted'").await, 0);
}
