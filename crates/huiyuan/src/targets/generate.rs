//! Generated activity on top of generated members, for trying the dashboards at scale and
//! for benchmarks (`huiyuan generate-applications`): active group members get individual
//! members of their own city (0 to 6 each), and applications arrive at every stage of the
//! review chain across the cities. Not for a production database.

use std::collections::HashMap;

use anyhow::Context as _;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::storage::{Db, Sql, now_ms};

/// What was added.
#[derive(Debug, Default)]
pub struct Generated {
    pub links: usize,
    pub applications: usize,
}

/// Where applications stand, with their share in a hundred: most are long decided, some
/// wait at each stage.
const STAGES: [(&str, u32); 12] = [
    ("approved", 48),
    ("submitted", 10),
    ("returned", 4),
    ("recommended", 5),
    ("forwarded", 5),
    ("sent_back", 2),
    ("ready", 3),
    ("on_agenda", 3),
    ("rejected", 7),
    ("withdrawn", 6),
    ("not_approved", 3),
    ("draft", 4),
];

fn stage(roll: u32) -> &'static str {
    let mut acc = 0;
    for (status, share) in STAGES {
        acc += share;
        if roll < acc {
            return status;
        }
    }
    "approved"
}

/// Closed applications free their open key (one open application per person).
fn is_open(status: &str) -> bool {
    !matches!(status, "approved" | "rejected" | "withdrawn" | "not_approved")
}

/// Link individuals to the group members of their city that have none yet, and add
/// `applications` applications (deterministic for a `seed`).
pub async fn generate(db: &Db, applications: usize, seed: u64) -> anyhow::Result<Generated> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Generated::default();
    let mut tx = db.begin().await?;
    // Individuals of each city not in a group yet, and the active groups without members.
    let members: Vec<(i64, Option<i64>, String, String)> = sqlx::query_as(
        "SELECT m.id, m.org_id, m.kind, m.status FROM member m
         WHERE m.org_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM member_link l WHERE l.individual_member_id = m.id OR l.group_member_id = m.id)
         ORDER BY m.id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut pools: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut groups = Vec::new();
    for (id, org, kind, status) in members {
        let Some(org) = org else { continue };
        match kind.as_str() {
            "group" if status == "active" => groups.push((id, org)),
            "individual" => pools.entry(org).or_default().push(id),
            _ => {}
        }
    }
    for pool in pools.values_mut() {
        pool.shuffle(&mut rng);
    }
    let mut links = Vec::new();
    for (group, org) in groups {
        let want = rng.gen_range(0..=6);
        let pool = pools.entry(org).or_default();
        for _ in 0..want {
            let Some(person) = pool.pop() else { break };
            links.push((group, person));
        }
    }
    for chunk in links.chunks(1000) {
        let mut sql = Sql::new("INSERT INTO member_link (group_member_id, individual_member_id) VALUES ");
        for (i, (g, p)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" }).bind(*g).push(", ").bind(*p).push(")");
        }
        sql.execute(&mut tx).await?;
    }
    out.links = links.len();

    let cities: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM org WHERE level = 'city' ORDER BY id").fetch_all(&mut *tx).await?;
    let (applicant,): (Option<i64>,) = sqlx::query_as("SELECT MIN(id) FROM app_user").fetch_one(&mut *tx).await?;
    let applicant = applicant.context(
        "the database has no account to own the applications: start the server once (huiyuan serve) \
         or create an administrator (huiyuan create-admin) first",
    )?;
    let (first,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM application").fetch_one(&mut *tx).await?;
    let surnames = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡"];
    let given = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超"];
    let now = now_ms();
    let two_years = 2 * 365 * 86_400_000_i64;
    let mut rows = Vec::with_capacity(500);
    for i in 0..applications {
        let status = stage(rng.gen_range(0..100));
        let group = rng.gen_bool(0.1);
        let org = if rng.gen_bool(0.03) { None } else { Some(cities[rng.gen_range(0..cities.len())].0) };
        let name = if group {
            format!("第{}中学", rng.gen_range(1..300))
        } else {
            format!("{}{}{}", surnames[rng.gen_range(0..15)], given[rng.gen_range(0..15)], given[rng.gen_range(0..15)])
        };
        let kind = if group { "group" } else { "individual" };
        let key = format!("generated:{:09}", first + 1 + i as i64);
        let at = now - rng.gen_range(0..two_years);
        rows.push((kind, org, status, name, key, at));
        if rows.len() == 500 || i + 1 == applications {
            let mut sql = Sql::new(
                "INSERT INTO application (kind, applicant_id, org_id, status, name, identity_key, open_key, category,
                     data, version, submitted_at, created_at, updated_at) VALUES ",
            );
            for (n, (kind, org, status, name, key, at)) in rows.drain(..).enumerate() {
                let open = is_open(status).then(|| format!("{kind}:{key}"));
                let submitted = (status != "draft").then_some(at);
                let data = serde_json::json!({ "name": name }).to_string();
                let category = if kind == "group" { "group" } else { "ordinary" };
                sql.push(if n == 0 { "(" } else { ", (" });
                sql.bind(kind.to_string())
                    .push(", ")
                    .bind(applicant)
                    .push(", ")
                    .bind(org)
                    .push(", ")
                    .bind(status.to_string());
                sql.push(", ")
                    .bind(name)
                    .push(", ")
                    .bind(key)
                    .push(", ")
                    .bind(open)
                    .push(", ")
                    .bind(category.to_string());
                sql.push(", ").bind(data).push(", 1, ").bind(submitted).push(", ").bind(at).push(", ").bind(at);
                sql.push(")");
            }
            sql.execute(&mut tx).await?;
        }
    }
    out.applications = applications;
    tx.commit().await?;
    let mut conn = db.pool().acquire().await?;
    let statements: &[&str] = match db.backend() {
        // The links' triggers changed the groups' member rows too.
        crate::storage::Backend::Postgres => {
            &["VACUUM ANALYZE member_link", "VACUUM ANALYZE application", "VACUUM ANALYZE member"]
        }
        crate::storage::Backend::Sqlite => &["PRAGMA analysis_limit = 1000", "ANALYZE"],
    };
    for statement in statements {
        sqlx::query(statement).execute(&mut *conn).await?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_shares_add_up_to_a_hundred() {
        assert_eq!(STAGES.iter().map(|(_, s)| s).sum::<u32>(), 100);
        assert_eq!(stage(0), "approved");
        assert_eq!(stage(99), "draft");
    }
}
