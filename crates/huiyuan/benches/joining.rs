//! Figures of joining, on SQLite and (when reachable) PostgreSQL:
//!
//! - approvals per second through the member-number allocator: each approval is its own
//!   transaction that draws a number and inserts the member, 16 at a time;
//! - the time to render one filled registration form as PDF, and its size;
//! - review-queue page latency with 10,000 pending applications, through the real HTTP
//!   server, signed in as the administrator (first page with its stage counts; a search; a
//!   late page).
//!
//! - member certificates (会员证) rendered per second on one core, and their size.
//!
//! `cargo bench --bench joining` (scripts/bench runs it). PostgreSQL: `HUIYUAN_BENCH_PG_URL`
//! (a server URL without database; default postgres://postgres@127.0.0.1:5432).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use huiyuan::app::Server;
use huiyuan::config::Settings;
use huiyuan::state::AppState;
use huiyuan::storage::Db;

const PASSWORD: &str = "bench-kexue-2026";
const APPROVALS: usize = 2000;
const CONCURRENCY: usize = 16;
const PENDING: usize = 10_000;
const REQUESTS: usize = 200;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("joining benchmarks ({} cores)", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    // Rendering times, measured on a thread of their own, as on the blocking pool.
    std::thread::spawn(|| huiyuan::cpu::here(pdf)).join().unwrap();
    std::thread::spawn(|| huiyuan::cpu::here(certificates)).join().unwrap();
    common::on_each_backend("joining", |label, url, dir| async move { backend(label, &url, &dir).await }).await;
}

fn certificates(off: &huiyuan::cpu::OffRuntime) {
    use huiyuan::print::certificate::{CertificateText, Layout, render};
    let settings = Settings::defaults();
    let printer = huiyuan::print::Printer::new(settings.print.fonts.clone());
    let Some((font, _)) = printer.font() else {
        println!("certificates: skipped (no Chinese font)");
        return;
    };
    let text = |i: usize| CertificateText {
        association: settings.association.name.clone(),
        title: settings.print.certificate_title.clone(),
        lines: vec![
            ("姓　　名".into(), ["张伟", "欧阳晓明", "李娜", "王建华"][i % 4].into()),
            ("会员类别".into(), "普通会员".into()),
            ("会员编号".into(), format!("SXK101{:04}M", i % 10_000)),
            ("发证日期".into(), "2026年11月29日".into()),
            ("有效期至".into(), "2031年11月28日".into()),
        ],
        name: String::new(),
        serial: format!("SXK101{:04}M-01", i % 10_000),
        verify_url: format!(
            "{}/verify/SXK101{:04}M?s=SXK101{:04}M-01",
            settings.server.base_url,
            i % 10_000,
            i % 10_000
        ),
        qr_caption: "扫码验证真伪".into(),
        issuer: format!("{}（盖章）", settings.association.name),
        issued_on: "2026年11月29日".into(),
    };
    render(&text(0), Layout::Card, font, off).unwrap();
    let n = 500;
    let started = Instant::now();
    let mut largest = 0;
    for i in 0..n {
        largest = largest.max(render(&text(i), Layout::Card, font, off).unwrap().len());
    }
    let secs = started.elapsed().as_secs_f64();
    let plaque = render(&text(1), Layout::Plaque, font, off).unwrap().len();
    println!(
        "certificates: {:.0} PDFs/s on one core, largest {:.1} KB (group plaque {:.1} KB), font embedded as a subset",
        n as f64 / secs,
        largest as f64 / 1024.0,
        plaque as f64 / 1024.0
    );
}

fn pdf(off: &huiyuan::cpu::OffRuntime) {
    let settings = Settings::defaults();
    let printer = huiyuan::print::Printer::new(settings.print.fonts.clone());
    let Some((font, which)) = printer.font() else {
        println!("PDF: skipped (no Chinese font)");
        return;
    };
    let form = huiyuan::applications::individual::IndividualForm {
        name: "张伟".into(),
        gender: "male".into(),
        birth_date: "1990-03-07".into(),
        ethnicity: "汉族".into(),
        political_status: "中共党员".into(),
        id_type: "resident_id".into(),
        id_number: "140105199003074910".into(),
        education: "本科".into(),
        degree: "学士".into(),
        title: "中学一级教师".into(),
        post: "科技辅导员".into(),
        employer: "太原市第五中学".into(),
        in_service: "in_service".into(),
        subject: "物理".into(),
        years: "8".into(),
        mobile: "13912345678".into(),
        email: "zhangwei@example.org".into(),
        address: "太原市小店区坞城路1号".into(),
        postcode: "030006".into(),
        achievements:
            "指导学生获全国青少年科技创新大赛二等奖；组织学校科技节十年，开设机器人、航模、无线电测向等兴趣小组。"
                .repeat(3),
        awards: "2024年山西省优秀科技辅导员；论文《中学物理课外科技活动的组织》获省级一等奖。".into(),
        ..Default::default()
    };
    let filled = huiyuan::applications::printing::Filled {
        application: "1024".into(),
        url: "https://hy.example.org/applications/1024".into(),
        member_number: Some("SXK1010001M".into()),
        city: "太原市青少年科技教育协会".into(),
        category: "普通会员".into(),
    };
    // The first render parses the font's tables; the rest is the steady state.
    let sheet = huiyuan::applications::printing::individual(&settings, &form, Some(&filled));
    let first = Instant::now();
    let bytes = huiyuan::print::pdf::render(&sheet, font, off).unwrap();
    let first = first.elapsed();
    let n = 50;
    let t = Instant::now();
    for _ in 0..n {
        let sheet = huiyuan::applications::printing::individual(&settings, &form, Some(&filled));
        huiyuan::print::pdf::render(&sheet, font, off).unwrap();
    }
    let each = t.elapsed() / n;
    println!(
        "PDF: filled individual registration form {:.1} KB, {:.1} ms each (first {:.1} ms), font {which}",
        bytes.len() as f64 / 1024.0,
        ms(each),
        ms(first)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn backend(label: &str, url: &str, data_dir: &std::path::Path) {
    let db = Db::connect(url).await.unwrap();
    db.migrate().await.unwrap();
    let settings = Settings::defaults();
    huiyuan::bootstrap::first_run(&db, &settings, Some(PASSWORD.to_string())).await.unwrap();
    allocator(label, &db, &settings).await;
    queue(label, db, settings, data_dir).await;
}

async fn allocator(label: &str, db: &Db, settings: &Settings) {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CONCURRENCY {
        let (db, settings) = (db.clone(), settings.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..APPROVALS / CONCURRENCY {
                let unit = 101 + ((worker + i) % 11) as i64;
                let mut tx = db.begin().await.unwrap();
                let number = huiyuan::members::numbering::allocate(&mut tx, &settings, unit, "M").await.unwrap();
                sqlx::query(
                    "INSERT INTO member (kind, number, name, category, channel, status, joined_at, created_at, updated_at)
                     VALUES ('individual', $1, $2, 'ordinary', 'city', 'active', 0, 0, 0)",
                )
                .bind(&number)
                .bind(format!("会员{number}"))
                .execute(&mut *tx)
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    let mut conn = db.pool().acquire().await.unwrap();
    let (distinct,): (i64,) =
        sqlx::query_as("SELECT COUNT(DISTINCT number) FROM member").fetch_one(&mut *conn).await.unwrap();
    assert_eq!(distinct as usize, APPROVALS);
    println!(
        "{label}: allocator {:.0} approvals/s ({APPROVALS} approvals, {CONCURRENCY} at a time, {:.2} s; all numbers distinct)",
        APPROVALS as f64 / secs,
        secs
    );
}

async fn queue(label: &str, db: Db, settings: Settings, data_dir: &std::path::Path) {
    // 10,000 submitted applications spread over the eleven cities.
    let mut conn = db.pool().acquire().await.unwrap();
    let cities: Vec<(i64,)> = sqlx::query_as("SELECT id FROM org WHERE parent_id IS NOT NULL ORDER BY id")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    let (applicant,): (i64,) =
        sqlx::query_as("SELECT id FROM app_user WHERE username = 'admin'").fetch_one(&mut *conn).await.unwrap();
    drop(conn);
    let surnames = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴"];
    let given = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰"];
    let mut tx = db.begin().await.unwrap();
    let now = 1_764_000_000_000_i64;
    for i in 0..PENDING {
        let name = format!("{}{}{}", surnames[i % 10], given[(i / 10) % 12], given[(i / 120) % 12]);
        let key = format!("resident_id:BENCH{i:08}");
        let data = format!(r#"{{"name":"{name}","employer":"第{}中学"}}"#, i % 97);
        sqlx::query(
            "INSERT INTO application (kind, applicant_id, org_id, status, name, identity_key, open_key, category, data,
                 version, submitted_at, created_at, updated_at)
             VALUES ('individual', $1, $2, 'submitted', $3, $4, $5, 'ordinary', $6, 1, $7, $7, $7)",
        )
        .bind(applicant)
        .bind(cities[i % cities.len()].0)
        .bind(&name)
        .bind(&key)
        .bind(format!("individual:{key}"))
        .bind(&data)
        .bind(now + i as i64)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    if let Ok(mut conn) = db.pool().acquire().await {
        let _ = sqlx::query("ANALYZE").execute(&mut *conn).await;
    }

    let state = AppState::new(db, settings, data_dir.to_path_buf(), None).unwrap();
    let server = Server::bind(state, "127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", server.local_addr().unwrap());
    tokio::spawn(async move { server.run_until(std::future::pending()).await });
    let client = sign_in(&base, "admin").await;
    for (what, path) in [
        ("first page with stage counts", "/admin/applications"),
        ("search by name", "/admin/applications?q=%E7%8E%8B%E4%BC%9F"),
        ("page 50, newest first", "/admin/applications?sort=newest&page=50"),
    ] {
        let (p50, p99) = latency(&client, &format!("{base}{path}")).await;
        println!("{label}: review queue, {PENDING} pending, {what}: p50 {p50:.1} ms, p99 {p99:.1} ms");
    }
}

async fn sign_in(base: &str, login: &str) -> reqwest::Client {
    let client =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = client.get(format!("{base}/sign-in")).send().await.unwrap().text().await.unwrap();
    let csrf = page.split("name=\"csrf_token\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_string();
    let r = client
        .post(format!("{base}/sign-in"))
        .form(&[("login", login), ("password", PASSWORD), ("csrf_token", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "signed in");
    client
}

/// p50 and p99 of `REQUESTS` sequential requests, in ms.
async fn latency(client: &reqwest::Client, url: &str) -> (f64, f64) {
    for _ in 0..10 {
        client.get(url).send().await.unwrap().bytes().await.unwrap();
    }
    let mut times = Vec::with_capacity(REQUESTS);
    for _ in 0..REQUESTS {
        let t = Instant::now();
        let r = client.get(url).send().await.unwrap();
        assert_eq!(r.status(), 200, "{url}");
        r.bytes().await.unwrap();
        times.push(ms(t.elapsed()));
    }
    times.sort_by(|a, b| a.total_cmp(b));
    (times[REQUESTS / 2], times[REQUESTS * 99 / 100])
}
