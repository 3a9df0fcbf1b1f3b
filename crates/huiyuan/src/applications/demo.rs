//! The joining chain at every stage, for `--demo`: applications of 太原市 and 大同市 as drafts,
//! waiting for review (some for days), returned, recommended, in a forwarded batch waiting for
//! its dossier, on the agenda of the next council meeting, and approved at the last one — so
//! that every demo account has something to do. Each step is taken by the service a person
//! would use, as the demo account whose job it is (the applicant, the city, the secretariat,
//! the council), with its audit record; only the dates are set back afterwards.

use anyhow::Context as _;

use super::council::{self, MeetingInput};
use super::dossiers::{self, DossierInput};
use super::individual::IndividualForm;
use super::service::{self, Decision, Saved};
use super::state::Action;
use super::{batches, query};
use crate::audit::Who;
use crate::auth::{Actor, Role, store as auth_store};
use crate::domain::ResidentId;
use crate::orgs;
use crate::state::AppState;
use crate::storage::{ApplicationId, OrgId, UserId, now_ms};

/// Where an application is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Draft,
    /// Handed in this many days ago, waiting for the city.
    Submitted(i64),
    Returned,
    Recommended,
    /// In a batch the city forwarded; the secretariat has not filed its dossier.
    Forwarded,
    OnAgenda,
    Approved,
}

/// (account, name, region code, birth date, sequence, city code, stage). The account is made
/// for the demo unless it is one of the demo accounts (刘芳 is `applicant`).
const PEOPLE: [(&str, &str, &str, &str, u32, &str, Stage); 15] = [
    ("wanglei", "王磊", "140105", "19880416", 211, "140100", Stage::Draft),
    ("chenjing", "陈静", "140106", "19900921", 122, "140100", Stage::Submitted(12)),
    ("yangfan", "杨帆", "140107", "19920305", 313, "140100", Stage::Submitted(2)),
    ("applicant", "刘芳", "140109", "19870611", 224, "140100", Stage::Returned),
    ("zhaoxue", "赵雪", "140105", "19850127", 426, "140100", Stage::Recommended),
    ("sunhao", "孙浩", "140106", "19830818", 517, "140100", Stage::Forwarded),
    ("zhoulin", "周琳", "140107", "19891102", 628, "140100", Stage::OnAgenda),
    ("wuhao", "吴昊", "140108", "19810709", 719, "140100", Stage::Approved),
    ("zhengkai", "郑凯", "140202", "19930214", 111, "140200", Stage::Draft),
    ("fengjie", "冯洁", "140203", "19860503", 222, "140200", Stage::Submitted(5)),
    ("hejing", "何静", "140211", "19910820", 324, "140200", Stage::Returned),
    ("xufeng", "许峰", "140212", "19840612", 415, "140200", Stage::Recommended),
    ("caoyang", "曹阳", "140213", "19821125", 517, "140200", Stage::Forwarded),
    ("dengqi", "邓琪", "140214", "19900130", 628, "140200", Stage::OnAgenda),
    ("pengtao", "彭涛", "140215", "19790918", 719, "140200", Stage::Approved),
];

const SCHOOLS: [&str; 5] = ["第五中学", "实验小学", "第十中学", "青少年活动中心", "育英中学"];

fn form(account: &str, name: &str, id_number: &str, city: OrgId, city_name: &str, i: usize) -> IndividualForm {
    let birth = &id_number[6..14];
    let male = (id_number.as_bytes()[16] - b'0') % 2 == 1;
    IndividualForm {
        name: name.into(),
        gender: if male { "male" } else { "female" }.into(),
        birth_date: format!("{}-{}-{}", &birth[..4], &birth[4..6], &birth[6..]),
        ethnicity: "汉族".into(),
        political_status: ["中共党员", "群众", "共青团员"][i % 3].into(),
        id_type: "resident_id".into(),
        id_number: id_number.into(),
        education: ["本科", "硕士研究生", "大专"][i % 3].into(),
        degree: ["学士", "硕士", "无"][i % 3].into(),
        title: ["中学一级教师", "小学高级教师", "中学高级教师"][i % 3].into(),
        post: "科技辅导员".into(),
        employer: format!("{}{}", city_name.trim_end_matches("青少年科技教育协会"), SCHOOLS[i % SCHOOLS.len()]),
        in_service: "in_service".into(),
        subject: ["物理", "信息技术", "科学", "生物"][i % 4].into(),
        years: format!("{}", 5 + i % 12),
        mobile: format!("139{:08}", 20_000_000 + i * 7_919),
        email: format!("{account}@demo.invalid"),
        address: format!("{}迎泽大街{}号", city_name.trim_end_matches("青少年科技教育协会"), 10 + i),
        postcode: if city_name.starts_with("大同") { "037000" } else { "030001" }.into(),
        city: city.to_string(),
        category: "ordinary".into(),
        achievements: "组织学校科技节，开设机器人、航模兴趣小组；指导学生获山西省青少年科技创新大赛一等奖。".into(),
        awards: "2024年山西省优秀科技辅导员".into(),
        consent: "yes".into(),
    }
}

/// A demo account's actor and audit identity.
pub(crate) async fn acting(state: &AppState, username: &str) -> anyhow::Result<(Actor, Who)> {
    let mut conn = state.db.pool().acquire().await?;
    let user =
        auth_store::find_by_login(&mut conn, username).await?.with_context(|| format!("no account {username}"))?;
    let actor = auth_store::load_actor(&mut conn, user.id).await?.with_context(|| format!("{username} is inactive"))?;
    let who = Who {
        user_id: Some(user.id),
        name: format!("{} ({})", user.display_name, user.username),
        client_addr: "127.0.0.1".into(),
        request_id: "demo".into(),
    };
    Ok((actor, who))
}

/// The account of a demo applicant, made (as a member account with the demo password) when
/// it is not one of the demo accounts.
async fn applicant(state: &AppState, username: &str, name: &str, hash: &str) -> anyhow::Result<UserId> {
    let mut tx = state.db.begin().await?;
    if let Some(user) = auth_store::find_by_login(&mut tx, username).await? {
        return Ok(user.id);
    }
    let email = format!("{username}@demo.invalid");
    let new = auth_store::NewUser {
        username,
        email: Some(&email),
        mobile: None,
        display_name: name,
        password_hash: hash,
        locale: "zh-CN",
    };
    let id = auth_store::insert_user(&mut tx, &new).await?;
    let root = orgs::store::root(&mut tx).await?;
    auth_store::insert_grant(&mut tx, id, Role::Member, root.id, None).await?;
    tx.commit().await?;
    Ok(id)
}

fn fail(what: &str, errors: impl std::fmt::Debug) -> anyhow::Error {
    anyhow::anyhow!("demo {what} refused: {errors:?}")
}

/// Put the demo's applications in place (once, on the first start with `--demo`).
pub async fn seed(state: &AppState, password: &str) -> anyhow::Result<usize> {
    let pw = password.to_string();
    let hash = crate::cpu::run(move |off| crate::auth::password::hash(&pw, off)).await??;
    let mut made: Vec<(ApplicationId, &str, Stage)> = Vec::new();
    for (i, (username, name, region, birth, seq, city_code, stage)) in PEOPLE.iter().enumerate() {
        applicant(state, username, name, &hash).await?;
        let (actor, who) = acting(state, username).await?;
        let city = {
            let mut conn = state.db.pool().acquire().await?;
            orgs::store::find_by_code(&mut conn, city_code).await?.with_context(|| format!("no city {city_code}"))?
        };
        let id_number = ResidentId::complete(&format!("{region}{birth}{seq:03}"));
        let f = form(username, name, &id_number, city.id, &city.name, i);
        let submit = *stage != Stage::Draft;
        let id = match service::save_form(state, &actor, &who, None, f, submit).await? {
            Ok(Saved::Draft(id) | Saved::Submitted(id)) => id,
            Ok(Saved::Invalid(_, e)) | Err(e) => return Err(fail("application", e)),
        };
        made.push((id, city_code, *stage));
    }
    // The cities review what was handed in.
    for city_code in ["140100", "140200"] {
        let admin = if city_code == "140100" { "taiyuan" } else { "datong" };
        let (actor, who) = acting(state, admin).await?;
        let ticks: Vec<usize> = (0..state.settings.joining.city_checklist.individual.len()).collect();
        let mut for_batch = Vec::new();
        for (id, _, stage) in made.iter().filter(|(_, c, _)| *c == city_code) {
            let (action, note) = match stage {
                Stage::Draft | Stage::Submitted(_) => continue,
                Stage::Returned => (Action::Return, "请补充获奖证书扫描件，并写明所在学校的科技活动情况。"),
                _ => (Action::Recommend, "经审查，符合个人会员条件，同意推荐。"),
            };
            let r = query::for_review(&state.db, &actor, *id).await?;
            let decision = Decision { action: Some(action), ticks: ticks.clone(), note: note.into() };
            service::decide(state, &actor, &who, &r, &decision).await?.map_err(|e| fail("review", e))?;
            if !matches!(stage, Stage::Returned | Stage::Recommended) {
                for_batch.push(*id);
            }
        }
        let year = state.settings.locale.today().year();
        let city = {
            let mut conn = state.db.pool().acquire().await?;
            orgs::store::find_by_code(&mut conn, city_code).await?.context("city")?
        };
        let name = batches::default_name(&city.short_name, year, 1);
        let batch = batches::create(state, &actor, &who, &name, &for_batch).await?.map_err(|e| fail("batch", e))?;
        let batch = {
            let mut conn = state.db.pool().acquire().await?;
            batches::find(&mut conn, batch).await?.context("batch")?
        };
        batches::forward(state, &actor, &who, &batch, &city).await?;
    }
    // The secretariat files the dossiers of those going to the council.
    let (secretariat, sec_who) = acting(state, "secretariat").await?;
    let mut agenda_next = Vec::new();
    let mut agenda_last = Vec::new();
    for (id, _, stage) in &made {
        let target = match stage {
            Stage::OnAgenda => &mut agenda_next,
            Stage::Approved => &mut agenda_last,
            _ => continue,
        };
        let app = {
            let mut conn = state.db.pool().acquire().await?;
            super::store::find(&mut conn, *id).await?.context("application")?
        };
        let input = DossierInput {
            ticks: (0..dossiers::checklist(&state.settings, &app).len()).collect(),
            copies: state.settings.joining.dossier.paper_copies.to_string(),
            note: "纸质材料齐全。".into(),
            action: Some(Action::File),
        };
        dossiers::record(state, &secretariat, &sec_who, &app, &input).await?.map_err(|e| fail("dossier", e))?;
        target.push(*id);
    }
    // Last month's meeting approved two; the next one has two on its agenda.
    let council_members: Vec<UserId> = {
        let mut conn = state.db.pool().acquire().await?;
        council::council_members(&mut conn).await?.into_iter().map(|(id, _)| id).collect()
    };
    let today = state.settings.locale.today();
    // The last meeting's outcome was written from its minutes; the next one votes online, so
    // that the council members have their votes to cast.
    let meeting = |days: i64, session: &str, mode: &str, agenda: &[ApplicationId]| MeetingInput {
        held_on: (today + time::Duration::days(days)).to_string(),
        session: session.into(),
        mode: mode.into(),
        attendees: council_members.clone(),
        agenda: agenda.to_vec(),
    };
    let last = council::create(
        state,
        &secretariat,
        &sec_who,
        &meeting(-30, "第六届常务理事会第三次会议", "minutes", &agenda_last),
    )
    .await?
    .map_err(|e| fail("meeting", e))?;
    let last = {
        let mut conn = state.db.pool().acquire().await?;
        council::find(&mut conn, last).await?.context("meeting")?
    };
    let present = i64::try_from(council_members.len()).unwrap_or(1);
    let minutes: council::Minutes = agenda_last.iter().map(|id| (*id, present, 0, 0)).collect();
    let resolution = format!("晋青科教常〔{}〕3号", today.year());
    council::close(state, &secretariat, &sec_who, &last, &resolution, &minutes).await?.map_err(|e| fail("close", e))?;
    council::create(state, &secretariat, &sec_who, &meeting(14, "第六届常务理事会第四次会议", "votes", &agenda_next))
        .await?
        .map_err(|e| fail("meeting", e))?;
    // Dates as they would be: the waiting ones handed in days ago.
    let day = 86_400_000;
    for (id, _, stage) in &made {
        let (ago, submitted) = match stage {
            Stage::Draft => (1, false),
            Stage::Submitted(days) => (*days, true),
            _ => (20, true),
        };
        let at = now_ms() - ago * day;
        sqlx::query(
            "UPDATE application SET created_at = $1, submitted_at = CASE WHEN $2 = 1 THEN $1 END WHERE id = $3",
        )
        .bind(at)
        .bind(i64::from(submitted))
        .bind(*id)
        .execute(state.db.pool())
        .await?;
    }
    Ok(made.len())
}
