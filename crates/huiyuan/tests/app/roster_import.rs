//! The census import (普查导入): a messy roster is checked row by row (every bad input
//! explained), committed all at once, and importing it again changes nothing.

use reqwest::StatusCode;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::helpers::*;

/// A resident ID whose check character is X (searching sequence numbers).
fn id_ending_in_x(region: &str, birth: &str) -> String {
    (1..999).map(|seq| resident_id(region, birth, seq)).find(|id| id.ends_with('X')).unwrap()
}

struct Roster {
    bytes: Vec<u8>,
    lost_x: String,
    existing_id: String,
}

/// The roster a city actually sends: a title over merged cells, a blank row, the heading on
/// row 3, dates in four spellings, full-width digits, an ID turned into a number by Excel,
/// one that lost its X, a blank row, a member already registered, a probable duplicate, the
/// same person twice, a name merged over two rows and a bad mobile.
fn messy_roster() -> Roster {
    let lost_x = id_ending_in_x("140105", "19900307");
    let existing_id = resident_id("140105", "19750101", 21);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let title = Format::new().set_bold();
    sheet.merge_range(0, 0, 0, 9, "太原市青少年科技教育协会会员花名册（2014年）", &title).unwrap();
    let heading =
        ["序号", "姓 名", "性别", "身份证号码", "出生日期", "手机", "工作单位", "会员类别", "入会时间", "会员编号"];
    for (c, h) in heading.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    let text_rows: [[&str; 10]; 3] = [
        [
            "1",
            "张伟",
            "男",
            &resident_id("140105", "19850612", 123),
            "",
            "１３８００１３８０００",
            "太原市第五中学",
            "高级会员",
            "2014/3/5",
            "",
        ],
        [
            "2",
            "李娜",
            "女",
            &resident_id("140105", "19880202", 222),
            "1988-02-02",
            "13900001111",
            "太原市实验小学",
            "普通会员",
            "2014年3月5日",
            "SXK1010007M",
        ],
        ["3", "王芳", "女", &resident_id("140106", "19900101", 224), "", "", "太原市第十中学", "", "", ""],
    ];
    for (r, row) in text_rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(3 + r as u32, c as u16, *v).unwrap();
            }
        }
    }
    // Row 6 (王芳): joined as a real Excel date.
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_datetime_with_format(5, 8, ExcelDateTime::from_ymd(2015, 9, 1).unwrap(), &date_format).unwrap();
    // Row 7: 赵强, whose ID Excel stored as a number.
    sheet.write_string(6, 1, "赵强").unwrap();
    sheet.write_number(6, 3, 140105199003070016.0).unwrap();
    // Row 8: 刘洋, the X lost; joined as a serial number typed as text.
    sheet.write_string(7, 1, "刘洋").unwrap();
    sheet.write_string(7, 3, &lost_x[..17]).unwrap();
    sheet.write_string(7, 8, "41703").unwrap();
    // Row 9: blank. Row 10: an existing member. Row 11: probable duplicate of 孙丽.
    sheet.write_string(9, 1, "陈静").unwrap();
    sheet.write_string(9, 3, &existing_id).unwrap();
    sheet.write_string(10, 1, "孙丽").unwrap();
    sheet.write_string(10, 3, resident_id("140107", "19790505", 31)).unwrap();
    sheet.write_string(10, 5, "13512345678").unwrap();
    // Row 12: 张伟 again (same ID as row 4).
    sheet.write_string(11, 1, "张伟").unwrap();
    sheet.write_string(11, 3, resident_id("140105", "19850612", 123)).unwrap();
    // Rows 13–14: one name merged over two rows; the second row has none.
    sheet.merge_range(12, 1, 13, 1, "郑洁", &Format::new()).unwrap();
    sheet.write_string(12, 3, resident_id("140108", "19920808", 42)).unwrap();
    sheet.write_string(13, 3, resident_id("140108", "19920808", 44)).unwrap();
    // Row 15: a bad mobile.
    sheet.write_string(14, 1, "吴刚").unwrap();
    sheet.write_string(14, 3, resident_id("140109", "19700101", 11)).unwrap();
    sheet.write_string(14, 5, "12345").unwrap();
    Roster { bytes: book.save_to_buffer().unwrap(), lost_x, existing_id }
}

fn batch_of(r: &reqwest::Response) -> i64 {
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "upload refused");
    location(r).rsplit('/').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_messy_roster_is_explained_row_by_row_imported_at_once_and_a_second_import_changes_nothing() {
    let app = TestApp::spawn().await;
    let ty = app.fixture.taiyuan;
    let roster = messy_roster();
    keep_sample("roster-messy.xlsx", &roster.bytes);
    app.add_member(NewMemberSpec {
        name: "陈静",
        org: Some(ty),
        id_number: &roster.existing_id,
        ..NewMemberSpec::default()
    })
    .await;
    app.add_member(NewMemberSpec {
        name: "孙丽",
        org: Some(ty),
        mobile: "13512345678",
        id_number: &resident_id("140107", "19790505", 33),
        ..NewMemberSpec::default()
    })
    .await;
    let members_before = app.scalar("SELECT COUNT(*) FROM member").await;

    let city = app.login_as(Who::Taiyuan).await;
    let r = city
        .upload_with("/admin/members/import", &[("city", &ty.to_string())], "花名册.xlsx", roster.bytes.clone())
        .await;
    let batch = batch_of(&r);
    let (status, page) = city.page(&format!("/admin/members/import/{batch}")).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "科学计数法",
        &format!("应为 {}", roster.lost_x),
        "已是会员：陈静",
        "可能与会员 孙丽",
        "姓名、手机相同",
        "与第 4 行是同一人",
        "缺少姓名",
        "手机号码“12345”应为 11 位",
        "已跳过 1 个空行",
    ] {
        assert!(page.contains(text), "the preview explains: {text}");
    }
    let counts = |col: &str| {
        let app = &app;
        let col = col.to_string();
        async move { app.scalar(&format!("SELECT {col} FROM import_batch WHERE id = {batch}")).await }
    };
    // New: 张伟, 李娜, 王芳, 郑洁 (first merged row).
    assert_eq!(counts("new_rows").await, 4);
    assert_eq!(counts("duplicate_rows").await, 1);
    assert_eq!(counts("probable_rows").await, 1);
    assert_eq!(counts("invalid_rows").await, 5);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member").await, members_before, "a preview changes nothing");

    // The verdicts download: the roster's columns, the verdict and the reason.
    let r = city.get(&format!("/admin/members/import/{batch}/verdicts.xlsx")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let xml = sheet_xml(&r.bytes().await.unwrap());
    assert!(xml.contains("检查结果") && xml.contains("科学计数法") && xml.contains("新会员"));

    // Commit, leaving the probable duplicate out.
    let r = city.post_form(&format!("/admin/members/import/{batch}/commit"), &[("probable_11", "skip")]).await;
    assert_redirect(&r, &format!("/admin/members/import/{batch}"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member").await, members_before + 4);
    assert_eq!(
        app.text("SELECT number FROM member WHERE name = '李娜'").await.unwrap(),
        "SXK1010007M",
        "an old unified number of the city is kept"
    );
    let zw = app.text("SELECT number FROM member WHERE name = '张伟'").await.unwrap();
    assert!(zw.starts_with("SXK101") && zw.ends_with('M') && zw != "SXK1010007M");
    assert_eq!(app.text("SELECT mobile FROM member WHERE name = '张伟'").await.unwrap(), "13800138000");
    assert_eq!(app.text("SELECT category FROM member WHERE name = '张伟'").await.unwrap(), "senior");
    assert_eq!(app.text("SELECT birth_date FROM member WHERE name = '王芳'").await.unwrap(), "1990-01-01");
    let joined = app.scalar("SELECT joined_at FROM member WHERE name = '王芳'").await;
    assert_eq!(joined, 1_441_036_800_000, "joined 2015-09-01, Beijing time, from an Excel date cell");
    // Imported members are found like any other, once their search terms are written in the
    // background (the batch's page says so meanwhile).
    app.settle_jobs().await;
    let sec = app.login_as(Who::Secretariat).await;
    let (_, html) = sec.page("/admin/members?q=ln").await;
    assert!(html.contains("李娜"));
    let (_, page) = city.page(&format!("/admin/members/import/{batch}")).await;
    assert!(!page.contains("后台正在建立搜索索引"));
    // Writing the terms again (a retried job) leaves the same terms.
    let li = app.scalar("SELECT id FROM member WHERE name = '李娜'").await;
    let terms = format!("SELECT COUNT(*) FROM member_term WHERE member_id = {li}");
    let before = app.scalar(&terms).await;
    assert!(before > 5, "李娜 has her terms");
    huiyuan::members::bulk::index_members(&app.state.db, li, li).await.unwrap();
    assert_eq!(app.scalar(&terms).await, before);
    sqlx::query(
        "INSERT INTO job (kind, payload, status, attempts, max_attempts, run_at, created_at)
         VALUES ('member_terms', $1, 'queued', 0, 5, $2, 0)",
    )
    .bind(format!(r#"{{"batch":{batch},"from":0,"to":-1}}"#))
    .bind(i64::MAX)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    let (_, page) = city.page(&format!("/admin/members/import/{batch}")).await;
    assert!(page.contains("后台正在建立搜索索引"), "while the terms are being written");
    // A job that gave up: the page gives the command that does its work.
    sqlx::query("UPDATE job SET status = 'failed', payload = $1 WHERE kind = 'member_terms' AND run_at = $2")
        .bind(format!(r#"{{"batch":{batch},"from":{li},"to":{li}}}"#))
        .bind(i64::MAX)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let (_, page) = city.page(&format!("/admin/members/import/{batch}")).await;
    assert!(page.contains(&format!("huiyuan reindex --from {li} --to {li}")) && !page.contains("后台正在建立搜索索引"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'member.import'").await, 1);
    // Committing twice is refused.
    let r = city.post_form(&format!("/admin/members/import/{batch}/commit"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // The same file again: everyone is a member now; committing adds nobody.
    let r = city.upload_with("/admin/members/import", &[("city", &ty.to_string())], "花名册.xlsx", roster.bytes).await;
    let again = batch_of(&r);
    assert_eq!(app.scalar(&format!("SELECT new_rows FROM import_batch WHERE id = {again}")).await, 0);
    // 张伟 (twice), 李娜, 王芳, 郑洁 and 陈静 are all members now.
    assert_eq!(app.scalar(&format!("SELECT duplicate_rows FROM import_batch WHERE id = {again}")).await, 6);
    let r = city.post_form(&format!("/admin/members/import/{again}/commit"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM member").await, members_before + 4);

    // Another city's administrator sees neither the batch nor may import for 太原市.
    let datong = app.login_as(Who::Datong).await;
    assert_eq!(datong.get(&format!("/admin/members/import/{batch}")).await.status(), StatusCode::FORBIDDEN);
    let r = datong.upload_with("/admin/members/import", &[("city", &ty.to_string())], "x.csv", b"a,b\n".to_vec()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

fn sheet_xml(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut text).unwrap();
    text
}

#[tokio::test]
async fn gbk_csv_rosters_are_read_and_unusable_files_are_explained() {
    let app = TestApp::spawn_with(|s| s.uploads.max_bytes = 64 * 1024).await;
    let ty = app.fixture.taiyuan.to_string();
    let city = app.login_as(Who::Taiyuan).await;
    let csv = format!(
        "姓名,身份证号,手机,入会日期\r\n王建华,{},13800001234,2016.9.1\r\n,,,\r\n",
        resident_id("140105", "19800101", 15)
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
    let r = city.upload_with("/admin/members/import", &[("city", &ty)], "名册.csv", gbk.into_owned()).await;
    let batch = batch_of(&r);
    assert_eq!(app.scalar(&format!("SELECT new_rows FROM import_batch WHERE id = {batch}")).await, 1);
    let (_, page) = city.page(&format!("/admin/members/import/{batch}")).await;
    assert!(page.contains("王建华"), "GBK decoded");

    let refused = |bytes: Vec<u8>, name: &'static str| {
        let city = &city;
        let ty = ty.clone();
        async move {
            let r = city.upload_with("/admin/members/import", &[("city", &ty)], name, bytes).await;
            (r.status(), r.text().await.unwrap())
        }
    };
    let (status, html) = refused(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), "photo.png").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("这不是电子表格文件"));
    let (status, html) = refused("会员名单\r\n张三,李四\r\n".as_bytes().to_vec(), "list.csv").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("找不到表头行"));
    let (status, html) = refused(b"PK\x03\x04not really a workbook".to_vec(), "broken.xlsx").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("无法读取该文件"));
    let (status, html) = refused(vec![b'a'; 200 * 1024], "huge.csv").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(html.contains("64"), "{html}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM import_batch").await, 1, "refused files leave nothing behind");

    // A new mapping re-checks every row and is remembered for the city's next roster:
    // without the ID column the row cannot be imported.
    let r = city.post_form(&format!("/admin/members/import/{batch}/mapping"), &[("col_name", "0")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.scalar(&format!("SELECT new_rows FROM import_batch WHERE id = {batch}")).await, 0);
    assert_eq!(app.scalar(&format!("SELECT invalid_rows FROM import_batch WHERE id = {batch}")).await, 1);
    let remembered = app.text("SELECT mapping_json FROM import_mapping").await.unwrap();
    assert!(remembered.contains("姓名") && !remembered.contains("身份证号"), "{remembered}");
}

#[tokio::test]
async fn a_roster_saved_by_libreoffice_as_xls_reads_like_the_xlsx() {
    // LibreOffice converts the generated workbook to the old .xls format when it is
    // installed; without it there is no .xls to read and the test says so.
    let Ok(status) = std::process::Command::new("soffice").arg("--version").output() else {
        eprintln!("LibreOffice is not installed: .xls conversion not checked");
        return;
    };
    assert!(status.status.success());
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("roster.xlsx");
    std::fs::write(&xlsx, messy_roster().bytes).unwrap();
    let out = std::process::Command::new("soffice")
        .args(["--headless", "--convert-to", "xls", "--outdir"])
        .arg(dir.path())
        .arg(&xlsx)
        .output()
        .unwrap();
    assert!(out.status.success());
    let xls = std::fs::read(dir.path().join("roster.xls")).unwrap();
    let app = TestApp::spawn().await;
    let city = app.login_as(Who::Taiyuan).await;
    let ty = app.fixture.taiyuan.to_string();
    let batch = batch_of(&city.upload_with("/admin/members/import", &[("city", &ty)], "roster.xls", xls).await);
    assert_eq!(app.scalar(&format!("SELECT new_rows FROM import_batch WHERE id = {batch}")).await, 6);
}

#[tokio::test]
async fn the_template_holds_every_column_the_import_reads_and_the_page_lists_them() {
    use calamine::Reader;
    let app = TestApp::spawn().await;
    let city = app.login_as(Who::Taiyuan).await;
    let (_, page) = city.page("/admin/members/import").await;
    assert!(page.contains("下载花名册模板") && page.contains("/admin/members/import/template.xlsx"));
    assert!(page.contains("系统识别的列") && page.contains("身份证号码、身份证"), "the other names of a column");
    // One city to import into: named, not offered as a one-option list.
    assert!(!page.contains(r#"<select name="city">"#) && page.contains(r#"class="fixed-choice">太原市<"#), "{page}");

    let r = city.get("/admin/members/import/template.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["花名册", "填写说明"]);
    let sheet = book.worksheet_range("花名册").unwrap();
    let heading: Vec<String> = sheet.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(heading.len(), 12);
    assert!(heading.contains(&"姓名*".to_string()) && heading.contains(&"身份证号*".to_string()), "{heading:?}");
    assert_eq!(sheet.rows().count(), 1, "headings only: no example row that could be imported by mistake");

    // A roster filled in under the template's headings is read column by column.
    let mut row = vec![String::new(); heading.len()];
    let mut set = |h: &str, v: String| {
        let i = heading.iter().position(|x| x.trim_end_matches('*') == h).unwrap();
        row[i] = v;
    };
    set("姓名", "王建华".into());
    set("身份证号", resident_id("140105", "19800101", 15));
    set("手机", "13800001234".into());
    set("工作单位", "太原市第五中学".into());
    set("入会时间", "2016-09-01".into());
    let csv = format!("{}\r\n{}\r\n", heading.join(","), row.join(","));
    let ty = app.fixture.taiyuan.to_string();
    let r = city.upload_with("/admin/members/import", &[("city", &ty)], "名册.csv", csv.into_bytes()).await;
    let batch = batch_of(&r);
    assert_eq!(app.scalar(&format!("SELECT new_rows FROM import_batch WHERE id = {batch}")).await, 1);
    let (_, preview) = city.page(&format!("/admin/members/import/{batch}")).await;
    assert!(preview.contains("王建华") && preview.contains("太原市第五中学"));
}
