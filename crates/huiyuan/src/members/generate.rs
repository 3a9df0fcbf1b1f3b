//! A generated registry for the demo and for benchmarks: members with realistic Chinese
//! names, employers, mobiles, categories, statuses and join dates across the cities, written
//! in bulk (multi-row inserts in one transaction) with their search terms, periods and
//! "joined" events, numbered like real members (the sequences continue after them).

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::bulk::{self, BulkRow};
use crate::config::Settings;
use crate::storage::Db;

/// Common surnames, most frequent first (weights fall off along the list).
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "郭", "高", "武", "梁", "吴", "周", "孙", "徐", "马", "胡", "朱", "任",
    "贾", "程", "韩", "田", "段", "闫", "薛", "宋", "郝", "冯", "白", "牛", "史", "侯", "曹", "乔", "范", "秦", "董",
    "卫", "温", "黄", "林", "何", "罗", "郑", "谢", "唐", "于", "许", "邓", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡",
    "丁", "魏", "叶", "潘", "杜", "戴", "夏", "钟", "汪", "姜", "石", "姚", "谭", "康", "毛", "邱", "常", "孟", "申",
    "欧阳", "司马", "上官",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞",
    "平", "刚", "英", "华", "玉", "兰", "萍", "红", "建", "文", "辉", "力", "鹏", "飞", "波", "宁", "琳", "欣", "慧",
    "婷", "雪", "晓", "梅", "海", "峰", "亮", "志", "斌", "宇", "浩", "凯", "俊", "鑫", "晨", "阳", "颖", "倩", "琪",
    "佳", "璐", "瑞", "博", "昊", "国", "春", "荣", "云", "彬", "红", "燕", "丹", "军", "新", "利", "卫", "东", "晋",
];

const SCHOOLS: &[&str] = &["中学", "小学", "实验中学", "实验小学", "外国语学校", "职业中学"];
const CENTRES: &[&str] = &["青少年活动中心", "科学技术馆", "教育科学研究院", "少年宫", "电化教育馆"];

/// What was written.
#[derive(Debug, Default)]
pub struct Generated {
    pub members: usize,
    pub terms: usize,
}

struct Unit {
    org_id: Option<i64>,
    short_name: String,
    unit: i64,
}

fn pick<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    // Squared uniform: earlier entries come up more often, like real name frequencies.
    let x: f64 = rng.r#gen();
    let i = ((x * x) * list.len() as f64) as usize;
    list[i.min(list.len() - 1)]
}

fn person_name(rng: &mut StdRng) -> String {
    let mut name = pick(rng, SURNAMES).to_string();
    name.push_str(GIVEN[rng.gen_range(0..GIVEN.len())]);
    if rng.gen_bool(0.6) {
        name.push_str(GIVEN[rng.gen_range(0..GIVEN.len())]);
    }
    name
}

fn institution(rng: &mut StdRng, city: &str) -> String {
    if rng.gen_bool(0.8) {
        let n = rng.gen_range(1..=60);
        format!("{city}第{}{}", chinese_number(n), SCHOOLS[rng.gen_range(0..SCHOOLS.len())])
    } else {
        format!("{city}{}", CENTRES[rng.gen_range(0..CENTRES.len())])
    }
}

fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[(n % 10) as usize] }),
        _ => {
            format!(
                "{}十{}",
                DIGITS[(n / 10 % 10) as usize],
                if n.is_multiple_of(10) { "" } else { DIGITS[(n % 10) as usize] }
            )
        }
    }
}

/// Write `count` generated members (deterministic for a `seed`). Numbers continue each
/// (unit, class) sequence; a sequence that would overflow the number format is an error
/// naming the setting to raise.
pub async fn generate(db: &Db, settings: &Settings, count: usize, seed: u64) -> anyhow::Result<Generated> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut tx = db.begin().await?;
    if db.backend() == crate::storage::Backend::Sqlite {
        // The term index is written in random order: give it room (256 MB of page cache).
        sqlx::query("PRAGMA cache_size = -262144").execute(&mut *tx).await?;
    }
    let cities: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, code, short_name FROM org WHERE level = 'city' ORDER BY sort_order, code")
            .fetch_all(&mut *tx)
            .await?;
    let mut units: Vec<Unit> = cities
        .into_iter()
        .filter_map(|(id, code, short_name)| {
            settings.number_unit(Some(&code)).map(|unit| Unit { org_id: Some(id), short_name, unit })
        })
        .collect();
    units.push(Unit { org_id: None, short_name: "山西省".into(), unit: settings.numbering.direct_unit });
    let mut sequences: HashMap<(i64, String), i64> =
        sqlx::query_as::<_, (i64, String, i64)>("SELECT unit, class, next FROM number_sequence")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|(u, c, n)| ((u, c), n))
            .collect();
    let class_of = |code: &str| settings.category(code).map(|c| c.number_class.clone()).unwrap_or_else(|| "M".into());
    let now = crate::storage::now_ms();
    let start_2014 = 1_388_505_600_000_i64; // 2014-01-01 (UTC+8 midnight is close enough)
    let mut out = Generated::default();
    let mut batch = Vec::with_capacity(500);
    for _ in 0..count {
        // Province-direct members are few; the cities share the rest.
        let u = if rng.gen_bool(0.03) { units.len() - 1 } else { rng.gen_range(0..units.len() - 1) };
        let unit = &units[u];
        let group = rng.gen_bool(0.06);
        let category: &'static str = if group {
            "group"
        } else {
            match rng.gen_range(0..100) {
                0..=69 => "ordinary",
                70..=93 => "senior",
                94..=96 => "foreign",
                97..=98 => "honorary",
                _ => "permanent",
            }
        };
        let class = class_of(category);
        let seq = sequences.entry((unit.unit, class.clone())).or_insert(1);
        if *seq > settings.numbering.max_sequence() {
            anyhow::bail!(
                "unit {} class {class} has no numbers left: raise numbering.sequence_digits (now {})",
                unit.unit,
                settings.numbering.sequence_digits
            );
        }
        let number = settings.member_number(unit.unit, *seq, &class);
        *seq += 1;
        let status = match rng.gen_range(0..100) {
            0..=90 => "active",
            91..=94 => "lapsed",
            95..=96 => "suspended",
            97..=98 => "withdrawn",
            _ => "deceased",
        };
        let (name, employer) = if group {
            (institution(&mut rng, &unit.short_name), person_name(&mut rng))
        } else {
            (person_name(&mut rng), institution(&mut rng, &unit.short_name))
        };
        let year = rng.gen_range(1960..=2000);
        batch.push(BulkRow {
            kind: if group { "group" } else { "individual" }.into(),
            number,
            name,
            category: category.into(),
            org_id: unit.org_id,
            status: status.into(),
            joined_at: rng.gen_range(start_2014..now),
            gender: if group {
                ""
            } else if rng.gen_bool(0.55) {
                "female"
            } else {
                "male"
            }
            .into(),
            birth_date: if group {
                String::new()
            } else {
                format!("{year}-{:02}-{:02}", rng.gen_range(1..=12), rng.gen_range(1..=28))
            },
            mobile: format!("1{}{:09}", ["3", "5", "8", "9"][rng.gen_range(0..4)], rng.gen_range(0..1_000_000_000_u64)),
            employer,
            ..BulkRow::default()
        });
        if batch.len() == 500 {
            out.terms += flush(&mut tx, db, settings, &mut batch).await?;
        }
    }
    out.terms += flush(&mut tx, db, settings, &mut batch).await?;
    out.members = count;
    for ((unit, class), next) in sequences {
        sqlx::query(
            "INSERT INTO number_sequence (unit, class, next) VALUES ($1, $2, $3)
             ON CONFLICT (unit, class) DO UPDATE SET next = excluded.next",
        )
        .bind(unit)
        .bind(class)
        .bind(next)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    // Fresh statistics for the planner (and, on PostgreSQL, the visibility map that makes
    // term look-ups index-only).
    let mut conn = db.pool().acquire().await?;
    let statements: &[&str] = match db.backend() {
        crate::storage::Backend::Postgres => &[
            "VACUUM ANALYZE member_term",
            "VACUUM ANALYZE member",
            "VACUUM ANALYZE member_period",
            "VACUUM ANALYZE member_event",
            "VACUUM ANALYZE enrolment_count",
        ],
        // A sampled ANALYZE: seconds, not minutes, on a large registry.
        crate::storage::Backend::Sqlite => &["PRAGMA analysis_limit = 1000", "ANALYZE"],
    };
    for statement in statements {
        sqlx::query(statement).execute(&mut *conn).await?;
    }
    Ok(out)
}

/// A roster file as a city would send one (for trying and benchmarking the census import):
/// `count` people with valid, distinct resident ID numbers, mobiles, employers, categories and
/// join dates, as .xlsx written in constant memory.
pub fn roster_xlsx(path: &std::path::Path, count: usize, seed: u64) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory()?;
    let heading = ["序号", "姓名", "性别", "身份证号码", "手机", "工作单位", "会员类别", "入会时间"];
    for (c, h) in heading.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    let base = time::Date::from_calendar_date(1960, time::Month::January, 1)?;
    for i in 0..count {
        let row = u32::try_from(i + 1)?;
        let birth = base + time::Duration::days(i64::try_from(i / 900)?);
        let body = format!("140105{}{:03}", birth.to_string().replace('-', ""), i % 900 + 1);
        let id = crate::domain::ResidentId::complete(&body);
        let gender = if (i % 900 + 1) % 2 == 1 { "男" } else { "女" };
        let category = if rng.gen_bool(0.25) { "高级会员" } else { "普通会员" };
        let joined = format!("{}/{}/{}", rng.gen_range(2014..=2025), rng.gen_range(1..=12), rng.gen_range(1..=28));
        let cells = [
            (i + 1).to_string(),
            person_name(&mut rng),
            gender.to_string(),
            id,
            format!("1{}{:09}", ["3", "5", "8", "9"][rng.gen_range(0..4)], rng.gen_range(0..1_000_000_000_u64)),
            institution(&mut rng, "太原市"),
            category.to_string(),
            joined,
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(row, c as u16, v)?;
        }
    }
    book.save(path)?;
    Ok(())
}

/// Give a batch its ids and write it; returns the term count.
async fn flush(
    tx: &mut crate::storage::Conn,
    db: &Db,
    settings: &Settings,
    batch: &mut Vec<BulkRow>,
) -> anyhow::Result<usize> {
    let ids = bulk::reserve_ids(tx, db.backend(), batch.len()).await?;
    for (row, id) in batch.iter_mut().zip(ids) {
        row.id = id;
    }
    let terms = bulk::write(tx, db.backend(), batch, settings.locale.utc_offset(), ("", bulk::Terms::Now)).await?;
    batch.clear();
    Ok(terms)
}

/// The demo registry: a few hundred generated members, and the demo teacher (张伟, account
/// `teacher`) as a member of 太原市 so the member's own pages have something to show.
pub async fn demo_registry(db: &Db, settings: &Settings) -> anyhow::Result<Generated> {
    let generated = generate(db, settings, 240, 2026).await?;
    let mut tx = db.begin().await?;
    let teacher: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM app_user WHERE username = 'teacher'").fetch_optional(&mut *tx).await?;
    let taiyuan = crate::orgs::store::find_by_code(&mut tx, "140100").await?;
    if let (Some((user,)), Some(city)) = (teacher, taiyuan) {
        let unit = settings.number_unit(Some(&city.code)).unwrap_or(settings.numbering.direct_unit);
        let number = super::numbering::allocate(&mut tx, settings, unit, "M").await?;
        super::store::insert(
            &mut tx,
            &super::store::NewMember {
                kind: "individual",
                number: &number,
                name: "张伟",
                category: "senior",
                org_id: Some(city.id),
                application_id: None,
                user_id: Some(crate::storage::UserId(user)),
                identity_key: Some("resident_id:140105198506121235"),
                resolution: "",
                details: super::store::Details {
                    gender: "male".into(),
                    birth_date: "1985-06-12".into(),
                    mobile: "13800138000".into(),
                    email: "zhangwei@demo.invalid".into(),
                    employer: "太原市第五中学".into(),
                    id_number: "140105198506121235".into(),
                },
            },
            &settings.locale.today().to_string(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(generated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_look_chinese() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..100 {
            let name = person_name(&mut rng);
            assert!((2..=4).contains(&name.chars().count()), "{name}");
        }
        assert_eq!(chinese_number(5), "五");
        assert_eq!(chinese_number(15), "十五");
        assert_eq!(chinese_number(40), "四十");
        assert!(institution(&mut rng, "太原市").starts_with("太原市"));
    }

    #[test]
    fn a_generated_roster_reads_back_as_valid_distinct_people() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.xlsx");
        roster_xlsx(&path, 50, 3).unwrap();
        let rows =
            crate::cpu::here(|off| crate::members::import::file::read(&std::fs::read(&path).unwrap(), off)).unwrap();
        let at = crate::members::import::roster::find_heading(&rows).unwrap();
        let mapping = crate::members::import::roster::auto_mapping(&rows[at], &Default::default());
        let settings = crate::config::Settings::defaults();
        let rules = crate::members::import::roster::Rules {
            settings: &settings,
            unit: 101,
            today: time::macros::date!(2026 - 11 - 29),
        };
        let keys: std::collections::HashSet<String> = rows[at + 1..]
            .iter()
            .map(|r| crate::members::import::roster::record(r, &mapping, &rules).unwrap().identity_key)
            .collect();
        assert_eq!(keys.len(), 50);
    }
}
