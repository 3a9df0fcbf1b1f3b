//! First start and the demo data set.
//!
//! On an empty database huiyuan writes the organisation tree from the settings (and, at
//! every start, the cities' targets of the years that have none) and creates
//! the system administrator `admin`, whose password comes from `HUIYUAN_ADMIN_PASSWORD` or
//! is generated and printed once. `--demo` adds one account of each role, two city
//! administrators, applicants, and the association's 2014 notice — never without the flag.

use anyhow::Context as _;
use serde_json::json;

use crate::audit::{self, Entry, Who};
use crate::auth::{Role, password, store as auth_store};
use crate::config::Settings;
use crate::notices;
use crate::orgs;
use crate::storage::{Db, UserId, now_ms};

pub const ADMIN_USERNAME: &str = "admin";
/// The demo accounts' password (listed in the README; demo data only).
pub const DEMO_PASSWORD: &str = "huiyuan-demo-2026";

/// What happened on this start.
#[derive(Debug, Default)]
pub struct Bootstrap {
    pub orgs_seeded: bool,
    /// The generated password of the new `admin` account, to print once.
    pub generated_admin_password: Option<String>,
    pub admin_created: bool,
    pub demo_seeded: bool,
}

pub async fn first_run(db: &Db, settings: &Settings, admin_password: Option<String>) -> anyhow::Result<Bootstrap> {
    let mut out =
        Bootstrap { orgs_seeded: orgs::service::seed_from_settings(db, settings).await?, ..Bootstrap::default() };
    // Every year from 2014 to next year has its cities' targets from the settings.
    crate::targets::service::ensure_years(db, settings).await?;
    let mut tx = db.begin().await?;
    if auth_store::count_users(&mut tx).await? > 0 {
        return Ok(out);
    }
    let (password, generated) = match admin_password.filter(|p| !p.is_empty()) {
        Some(p) => (p, false),
        None => (generate_password(), true),
    };
    if let Some(m) = password::weakness(&password, ADMIN_USERNAME, settings.security.password_min_length) {
        anyhow::bail!("HUIYUAN_ADMIN_PASSWORD is too weak: {m}");
    }
    let admin = Seed {
        username: ADMIN_USERNAME,
        name: "系统管理员",
        email: None,
        mobile: None,
        role: Role::Sysadmin,
        org_code: None,
    };
    let id = create_user(&mut tx, &admin, &password).await?;
    audit::record(
        &mut tx,
        &Who::system("first-run"),
        Entry::new("user.create", "user", id, ADMIN_USERNAME)
            .after(json!({ "username": ADMIN_USERNAME, "role": "sysadmin" })),
    )
    .await?;
    tx.commit().await?;
    out.admin_created = true;
    out.generated_admin_password = generated.then_some(password);
    Ok(out)
}

/// A random password that passes the strength rule: 4 groups of 4 letters and digits.
pub fn generate_password() -> String {
    let token = crate::auth::secrets::random_token().replace(['-', '_'], "x");
    let chars: Vec<char> = token.chars().collect();
    let groups: Vec<String> = chars.chunks(4).take(4).map(|c| c.iter().collect()).collect();
    format!("{}-9", groups.join("-"))
}

/// Insert an account with one role.
async fn create_user(tx: &mut crate::storage::Conn, seed: &Seed<'_>, password_plain: &str) -> anyhow::Result<UserId> {
    let pw = password_plain.to_string();
    let hash = crate::cpu::run(move |off| password::hash(&pw, off)).await??;
    let new = auth_store::NewUser {
        username: seed.username,
        email: seed.email,
        mobile: seed.mobile,
        display_name: seed.name,
        password_hash: &hash,
        locale: "zh-CN",
    };
    let id = auth_store::insert_user(tx, &new).await.with_context(|| format!("creating account {}", seed.username))?;
    let org = match seed.org_code {
        Some(code) => orgs::store::find_by_code(tx, code).await?.with_context(|| format!("no org with code {code}"))?,
        None => orgs::store::root(tx).await?,
    };
    auth_store::insert_grant(tx, id, seed.role, org.id, None).await?;
    Ok(id)
}

/// An account to create: who, with which role over which node (`org_code`, or the root).
pub struct Seed<'a> {
    pub username: &'a str,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub mobile: Option<&'a str>,
    pub role: Role,
    pub org_code: Option<&'a str>,
}

const fn demo(
    username: &'static str,
    name: &'static str,
    email: &'static str,
    mobile: &'static str,
    role: Role,
    org_code: Option<&'static str>,
) -> Seed<'static> {
    Seed { username, name, email: Some(email), mobile: Some(mobile), role, org_code }
}

/// The demo accounts (README lists them).
pub const DEMO_ACCOUNTS: &[Seed<'static>] = &[
    demo("secretariat", "崔捷", "cuijie@demo.invalid", "13900000001", Role::Secretariat, None),
    demo("council", "王建国", "wangjianguo@demo.invalid", "13900000002", Role::Council, None),
    demo("taiyuan", "李明", "liming@demo.invalid", "13900000003", Role::CityAdmin, Some("140100")),
    demo("datong", "赵敏", "zhaomin@demo.invalid", "13900000004", Role::CityAdmin, Some("140200")),
    demo("teacher", "张伟", "zhangwei@demo.invalid", "13800138000", Role::Member, None),
    demo("applicant", "刘芳", "liufang@demo.invalid", "13800138001", Role::Member, None),
];

const DEMO_FLAG: &str = "demo_seeded_at";

/// Add the demo data set once.
pub async fn seed_demo(db: &Db) -> anyhow::Result<bool> {
    let mut tx = db.begin().await?;
    let seeded: Option<(String,)> =
        sqlx::query_as("SELECT value FROM instance WHERE key = $1").bind(DEMO_FLAG).fetch_optional(&mut *tx).await?;
    if seeded.is_some() {
        return Ok(false);
    }
    let who = Who::system("demo");
    for seed in DEMO_ACCOUNTS {
        let mut taken = false;
        for login in [Some(seed.username), seed.email, seed.mobile].into_iter().flatten() {
            taken |= auth_store::find_by_login(&mut tx, login).await?.is_some();
        }
        if taken {
            continue;
        }
        let id = create_user(&mut tx, seed, DEMO_PASSWORD).await?;
        audit::record(
            &mut tx,
            &who,
            Entry::new("system.demo", "user", id, seed.username)
                .after(json!({ "role": seed.role.as_str(), "org": seed.org_code })),
        )
        .await?;
    }
    let input = notices::model::NoticeInput {
        doc_number: "晋青科教发〔2014〕01号".into(),
        title: "关于加强协会自身能力建设的通知".into(),
        body: include_str!("../demo/notice-2014-01.md").into(),
        pinned: "1".into(),
        intent: "publish".into(),
    };
    let notice_id = notices::service::create_in(&mut tx, &who, &input)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .map_err(|e| anyhow::anyhow!("demo notice invalid: {e:?}"))?;
    // The notice is dated as the association dated it: 6 January 2014, Beijing time.
    sqlx::query("UPDATE notice SET published_at = $1 WHERE id = $2")
        .bind(1_388_937_600_000_i64)
        .bind(notice_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO instance (key, value) VALUES ($1, $2)")
        .bind(DEMO_FLAG)
        .bind(now_ms().to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_pass_the_strength_rule() {
        for _ in 0..50 {
            let p = generate_password();
            assert_eq!(password::weakness(&p, ADMIN_USERNAME, 12), None, "{p}");
        }
        assert_eq!(password::weakness(DEMO_PASSWORD, "teacher", 8), None);
    }
}
