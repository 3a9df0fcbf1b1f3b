//! Reading a city's existing roster (花名册) for the census import: .xlsx, .xls or .csv
//! (UTF-8 or GBK), a heading row found wherever it is, columns mapped to fields by their
//! names (or as the city mapped them last time), and each row turned into a member record
//! or the reasons it cannot be one. Everything here is pure; `import` does the database.
//!
//! What real rosters contain and how it is read: title rows above the heading; merged
//! cells (the value sits in the first cell only); dates typed as 2014/3/5, 2014年3月5日,
//! 2014.3.5, 20140305 or stored as Excel dates or serial numbers; full-width digits; ID
//! numbers that Excel turned into 1.40105E+17 (digits lost: refused with how to fix it) or
//! whose trailing X was dropped (refused, naming the number it should be); blank rows.

use std::collections::BTreeMap;

use time::{Date, Month};

use super::file::FileProblem;
use crate::domain::{CreditCode, ResidentId};
use crate::i18n::Msg;
use crate::text::{normalize, normalize_line};

/// A roster's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Name,
    Kind,
    Category,
    Number,
    IdNumber,
    Gender,
    BirthDate,
    Mobile,
    Email,
    Employer,
    Education,
    Joined,
}

pub const FIELDS: [Field; 12] = [
    Field::Name,
    Field::Kind,
    Field::Category,
    Field::Number,
    Field::IdNumber,
    Field::Gender,
    Field::BirthDate,
    Field::Mobile,
    Field::Email,
    Field::Employer,
    Field::Education,
    Field::Joined,
];

impl Field {
    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Kind => "kind",
            Field::Category => "category",
            Field::Number => "number",
            Field::IdNumber => "id_number",
            Field::Gender => "gender",
            Field::BirthDate => "birth_date",
            Field::Mobile => "mobile",
            Field::Email => "email",
            Field::Employer => "employer",
            Field::Education => "education",
            Field::Joined => "joined",
        }
    }

    pub fn parse(key: &str) -> Option<Field> {
        FIELDS.iter().copied().find(|f| f.key() == key)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Field::Name => "import.f_name",
            Field::Kind => "import.f_kind",
            Field::Category => "import.f_category",
            Field::Number => "import.f_number",
            Field::IdNumber => "import.f_id_number",
            Field::Gender => "import.f_gender",
            Field::BirthDate => "import.f_birth_date",
            Field::Mobile => "import.f_mobile",
            Field::Email => "import.f_email",
            Field::Employer => "import.f_employer",
            Field::Education => "import.f_education",
            Field::Joined => "import.f_joined",
        }
    }

    /// Heading texts that mean this field (compared without spaces, case-insensitively).
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::Name => &["姓名", "名字", "会员姓名", "姓名/单位名称", "单位名称", "名称", "name"],
            Field::Kind => &["类型", "会员类型", "个人/团体", "kind"],
            Field::Category => &["会员类别", "类别", "会员级别", "category"],
            Field::Number => &["会员编号", "编号", "会员号", "会员证号", "number"],
            Field::IdNumber => &[
                "身份证号",
                "身份证号码",
                "身份证",
                "证件号码",
                "证件号",
                "公民身份号码",
                "统一社会信用代码",
                "信用代码",
                "id",
            ],
            Field::Gender => &["性别", "gender"],
            Field::BirthDate => &["出生日期", "出生年月", "出生年月日", "生日", "birthdate"],
            Field::Mobile => &["手机", "手机号", "手机号码", "联系电话", "电话", "联系方式", "mobile"],
            Field::Email => &["邮箱", "电子邮箱", "电子邮件", "email", "e-mail"],
            Field::Employer => &["工作单位", "单位", "所在单位", "学校", "任职单位", "联系人", "employer"],
            Field::Education => &["学历", "最高学历", "文化程度", "学历层次", "education"],
            Field::Joined => &["入会时间", "入会日期", "入会年月", "加入时间", "joined"],
        }
    }
}

/// Which column each field is read from.
pub type Mapping = BTreeMap<Field, usize>;

fn heading_key(s: &str) -> String {
    normalize(s)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '：' && *c != ':')
        .collect::<String>()
        .to_lowercase()
}

fn field_of_heading(text: &str) -> Option<Field> {
    let key = heading_key(text);
    if key.is_empty() {
        return None;
    }
    FIELDS.iter().copied().find(|f| f.synonyms().iter().any(|s| heading_key(s) == key))
}

/// The heading row: the first of the first ten rows naming at least two known fields.
pub fn find_heading(rows: &[Vec<String>]) -> Result<usize, FileProblem> {
    rows.iter()
        .take(10)
        .position(|r| r.iter().filter_map(|c| field_of_heading(c)).collect::<std::collections::HashSet<_>>().len() >= 2)
        .ok_or(FileProblem::NoHeading)
}

/// Fields to columns: as remembered for this city (by heading text) where the heading is
/// there, else by the heading's name.
pub fn auto_mapping(heading: &[String], remembered: &BTreeMap<String, String>) -> Mapping {
    let mut out = Mapping::new();
    for (field_key, text) in remembered {
        let (Some(field), Some(col)) =
            (Field::parse(field_key), heading.iter().position(|h| heading_key(h) == heading_key(text)))
        else {
            continue;
        };
        out.insert(field, col);
    }
    for (col, h) in heading.iter().enumerate() {
        if let Some(field) = field_of_heading(h)
            && !out.contains_key(&field)
            && !out.values().any(|c| *c == col)
        {
            out.insert(field, col);
        }
    }
    out
}

/// The mapping as heading texts, to remember for the city's next roster.
pub fn remember(heading: &[String], mapping: &Mapping) -> BTreeMap<String, String> {
    mapping.iter().filter_map(|(f, c)| heading.get(*c).map(|h| (f.key().to_string(), h.clone()))).collect()
}

/// What a row of the roster says, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub kind: String,
    pub category: String,
    /// A unified number the member had already (kept when it is valid and free).
    pub number: Option<String>,
    pub id_number: String,
    pub identity_key: String,
    pub gender: String,
    pub birth_date: String,
    pub mobile: String,
    pub email: String,
    pub employer: String,
    /// The education level (one of the settings' levels), if the roster says.
    pub education: String,
    pub joined: Option<Date>,
    /// What the city must decide on before this row is imported, as marks the member record
    /// keeps (`education_below`, `age_outside`) and the words that explain them.
    pub marks: Vec<&'static str>,
    pub notes: Vec<Msg>,
}

impl Record {
    /// Without an ID number (to be completed; only when the settings allow it).
    pub fn id_missing(&self) -> bool {
        self.identity_key.is_empty()
    }

    /// As the registry's duplicate finder compares people.
    pub fn person(&self) -> crate::members::duplicates::Person<'_> {
        crate::members::duplicates::Person {
            name: &self.name,
            mobile: &self.mobile,
            birth_date: &self.birth_date,
            employer: &self.employer,
        }
    }
}

/// A row, read: what it says and every reason it cannot be imported as it is.
#[derive(Debug, Clone)]
pub struct Checked {
    pub record: Record,
    pub errors: Vec<Msg>,
    /// Its only fault is the missing ID number (which the settings require): it can still be
    /// found to be someone else of the file or the registry.
    pub only_id_missing: bool,
}

/// The rules a row is checked against.
pub struct Rules<'a> {
    pub settings: &'a crate::config::Settings,
    /// The unit whose numbers this roster may keep (the city's, or the province's).
    pub unit: i64,
    pub today: Date,
}

/// Is this row blank (or only spaces)?
pub fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// A row as a record, or every reason it cannot be one.
pub fn record(cells: &[String], mapping: &Mapping, rules: &Rules<'_>) -> Result<Record, Vec<Msg>> {
    let c = check(cells, mapping, rules);
    if c.errors.is_empty() { Ok(c.record) } else { Err(c.errors) }
}

/// A row read and checked against the rules (the registry and the rest of the file are
/// `evaluate`'s).
pub fn check(cells: &[String], mapping: &Mapping, rules: &Rules<'_>) -> Checked {
    let get = |f: Field| mapping.get(&f).and_then(|c| cells.get(*c)).map(|s| normalize_line(s)).unwrap_or_default();
    let mut errors = Vec::new();
    let mut id_missing = false;
    let mut r = Record { name: get(Field::Name), ..Record::default() };
    if r.name.is_empty() {
        errors.push(Msg::new("import.err_name"));
    } else if r.name.chars().count() > 50 {
        errors.push(Msg::new("err.too_long").arg("max", 50));
    }
    // Kind: from its column, else from the category, else individual.
    let category_text = get(Field::Category);
    let kind_text = get(Field::Kind);
    let group = kind_text.contains('团') || kind_text.contains("单位") || kind_text.eq_ignore_ascii_case("group");
    let category = rules.settings.categories.iter().find(|c| {
        !category_text.is_empty()
            && (c.name == category_text
                || c.code.eq_ignore_ascii_case(&category_text)
                || c.name.trim_end_matches("会员") == category_text)
    });
    r.kind = match category {
        Some(c) if c.kind == crate::config::CategoryKind::Group => "group",
        _ if group => "group",
        _ => "individual",
    }
    .to_string();
    match (category, category_text.is_empty()) {
        (Some(c), _) if c.kind.fits(&r.kind) => r.category = c.code.clone(),
        (Some(_), _) => errors.push(Msg::new("import.err_category_kind")),
        (None, true) => r.category = if r.kind == "group" { "group" } else { "ordinary" }.into(),
        (None, false) => {
            let names: Vec<&str> = rules.settings.categories.iter().map(|c| c.name.as_str()).collect();
            errors.push(Msg::new("import.err_category").arg("value", &category_text).arg("allowed", names.join("、")));
        }
    }
    // The document: a resident ID (individuals), a credit code (groups), or for foreign
    // members any passport number.
    let raw_id = get(Field::IdNumber);
    let id: String = normalize(&raw_id).chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    if id.is_empty() && r.kind == "individual" && !rules.settings.import.require_id_number {
        r.notes.push(Msg::new("import.id_to_complete"));
    } else if id.is_empty() {
        id_missing = r.kind == "individual";
        errors.push(Msg::new(if r.kind == "group" { "import.err_code_missing" } else { "import.err_id_missing" }));
    } else if id.contains("E+") || (id.contains('E') && id.contains('.')) {
        errors.push(Msg::new("import.err_id_scientific").arg("value", &raw_id));
    } else if r.kind == "group" {
        match CreditCode::parse(&id) {
            Ok(code) => {
                r.id_number = code.as_str().to_string();
                r.identity_key = format!("credit_code:{}", r.id_number);
            }
            Err(_) => errors.push(Msg::new("import.err_code").arg("value", &raw_id)),
        }
    } else if r.category == "foreign" && !(id.len() == 18 && id[..17].bytes().all(|b| b.is_ascii_digit())) {
        if (5..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            r.id_number = id.clone();
            r.identity_key = format!("passport:{id}");
        } else {
            errors.push(Msg::new("import.err_passport").arg("value", &raw_id));
        }
    } else if id.len() == 17 && id.bytes().all(|b| b.is_ascii_digit()) && ResidentId::parse(&format!("{id}X")).is_ok() {
        errors.push(Msg::new("import.err_id_lost_x").arg("value", &raw_id).arg("fixed", format!("{id}X")));
    } else {
        match ResidentId::parse_on(&id, rules.today) {
            Ok(rid) => {
                r.id_number = rid.as_str().to_string();
                r.identity_key = format!("resident_id:{}", r.id_number);
                r.birth_date = rid.birth_date().to_string();
                r.gender = match rid.gender() {
                    crate::domain::Gender::Male => "male",
                    crate::domain::Gender::Female => "female",
                }
                .into();
            }
            // A number that cannot exist says why in its own words.
            Err(m) if m.key == "err.id_birth_future" || m.key == "err.id_region" => errors.push(m),
            Err(_) => errors.push(Msg::new("import.err_id").arg("value", &raw_id)),
        }
    }
    // Gender and birth date: the ID number's when it has them; else as written.
    if r.gender.is_empty() && r.kind == "individual" {
        r.gender = match get(Field::Gender).as_str() {
            "男" | "M" | "m" | "male" => "male",
            "女" | "F" | "f" | "female" => "female",
            _ => "",
        }
        .into();
    }
    let birth_text = get(Field::BirthDate);
    if r.birth_date.is_empty() && !birth_text.is_empty() {
        match parse_date(&birth_text) {
            Some(d) => r.birth_date = d.to_string(),
            None => errors.push(Msg::new("import.err_date").arg("field", "出生日期").arg("value", &birth_text)),
        }
    }
    let mobile_text = get(Field::Mobile);
    let mobile: String = normalize(&mobile_text).chars().filter(|c| c.is_ascii_digit()).collect();
    if !mobile_text.is_empty() {
        if mobile.len() == 11 && mobile.starts_with('1') {
            r.mobile = mobile;
        } else {
            errors.push(Msg::new("import.err_mobile").arg("value", &mobile_text));
        }
    }
    let email = normalize(&get(Field::Email));
    if !email.is_empty() {
        if email.contains('@') && !email.contains(' ') && email.len() <= 120 {
            r.email = email;
        } else {
            errors.push(Msg::new("import.err_email").arg("value", &email));
        }
    }
    r.employer = get(Field::Employer).chars().take(120).collect();
    let joined_text = get(Field::Joined);
    if !joined_text.is_empty() {
        match parse_date(&joined_text) {
            Some(d) if d <= rules.today => r.joined = Some(d),
            Some(_) => errors.push(Msg::new("import.err_joined_future").arg("value", &joined_text)),
            None => errors.push(Msg::new("import.err_date").arg("field", "入会日期").arg("value", &joined_text)),
        }
    }
    let number = normalize(&get(Field::Number)).to_uppercase();
    if !number.is_empty() {
        match number_seq(rules, &number) {
            Some(_) => r.number = Some(number),
            None => errors.push(Msg::new("import.err_number").arg("value", &number)),
        }
    }
    if r.kind == "individual" {
        judge_individual(&mut r, &get(Field::Education), rules, &mut errors);
    }
    let only_id_missing = id_missing && errors.len() == 1;
    Checked { record: r, errors, only_id_missing }
}

/// An individual's education against the joining minimum and age against the category's
/// range: what the settings ask of applicants, asked of the roster (marks, not refusals: the
/// city decides about members it already has).
fn judge_individual(r: &mut Record, education: &str, rules: &Rules<'_>, errors: &mut Vec<Msg>) {
    let j = &rules.settings.joining;
    if !education.is_empty() {
        match j.education_level(education) {
            Some(level) => {
                r.education = level.to_string();
                if !j.education_sufficient(level) {
                    r.marks.push("education_below");
                    r.notes.push(Msg::new("import.education_below").arg("value", education).arg_setting(
                        "min",
                        rules.settings,
                        &j.min_education,
                    ));
                }
            }
            None => errors.push(
                Msg::new("import.err_education").arg("value", education).arg("allowed", j.education_levels.join("、")),
            ),
        }
    }
    let category = rules.settings.category(&r.category);
    let birth = crate::domain::parse_date(&r.birth_date).ok();
    if let (Some(c), Some(birth)) = (category, birth)
        && let Some(age) = c.age_outside(birth, rules.today)
    {
        let [youngest, oldest] = c.ages.unwrap_or_default();
        r.marks.push("age_outside");
        r.notes.push(
            Msg::new("import.age_outside")
                .arg("age", age)
                .arg("category", &c.name)
                .arg("min", youngest)
                .arg("max", oldest),
        );
    }
}

/// The (class, sequence) of a unified number of this roster's unit, if it is one.
pub fn number_seq(rules: &Rules<'_>, number: &str) -> Option<(String, i64)> {
    let n = &rules.settings.numbering;
    let rest = number.strip_prefix(&n.association_code)?;
    let digits = n.sequence_digits as usize;
    if rest.len() != 3 + digits + 1 || !rest.is_char_boundary(3 + digits) {
        return None;
    }
    let (unit, rest) = rest.split_at(3);
    let (seq, class) = rest.split_at(digits);
    let valid_class = rules.settings.categories.iter().any(|c| c.number_class == class);
    if unit.parse::<i64>().ok()? != rules.unit || !valid_class {
        return None;
    }
    let seq: i64 = seq.parse().ok()?;
    (seq >= 1).then(|| (class.to_string(), seq))
}

/// A date as rosters write it: 2014-03-05, 2014/3/5, 2014.3.5, 2014年3月5日, 20140305, or an
/// Excel serial day number (41703).
pub fn parse_date(raw: &str) -> Option<Date> {
    let s = normalize(raw);
    let s = s.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let (y, rest) = s.split_at(4);
        let (m, d) = rest.split_at(2);
        return Date::from_calendar_date(
            y.parse().ok()?,
            Month::try_from(m.parse::<u8>().ok()?).ok()?,
            d.parse().ok()?,
        )
        .ok();
    }
    if (4..=5).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
        let serial: f64 = s.parse().ok()?;
        return super::file::serial_date(serial).filter(|d| (1900..=2100).contains(&d.year()));
    }
    // "2014-03-05 00:00:00" from a date-time cell.
    let s = s.split_whitespace().next().unwrap_or("");
    crate::domain::parse_date(s).ok()
}

#[cfg(test)]
mod tests {
    use super::super::file::{parse_csv, read};
    use super::*;
    use time::macros::date;

    fn rules(settings: &crate::config::Settings) -> Rules<'_> {
        Rules { settings, unit: 101, today: date!(2026 - 11 - 29) }
    }

    fn row(pairs: &[(Field, &str)]) -> (Vec<String>, Mapping) {
        let mut cells = Vec::new();
        let mut mapping = Mapping::new();
        for (i, (f, v)) in pairs.iter().enumerate() {
            cells.push(v.to_string());
            mapping.insert(*f, i);
        }
        (cells, mapping)
    }

    #[test]
    fn dates_are_read_however_rosters_write_them() {
        for s in [
            "2014-03-05",
            "2014/3/5",
            "2014年3月5日",
            "2014.3.5",
            "20140305",
            "41703",
            "２０１４/３/５",
            "2014-03-05 00:00:00",
        ] {
            assert_eq!(parse_date(s), Some(date!(2014 - 03 - 05)), "{s}");
        }
        assert_eq!(parse_date("三月"), None);
    }

    #[test]
    fn csv_fields_keep_quotes_commas_and_line_breaks() {
        let rows = parse_csv("姓名,单位\r\n\"张伟\",\"太原市,第五中学\"\n\"王\"\"芳\",\"一\n二\"\n");
        assert_eq!(rows, [vec!["姓名", "单位"], vec!["张伟", "太原市,第五中学"], vec!["王\"芳", "一\n二"]]);
    }

    #[test]
    fn gbk_text_is_decoded() {
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,手机\n张伟,13800138000\n");
        assert_eq!(crate::cpu::here(|off| read(&gbk, off)).unwrap()[1], ["张伟", "13800138000"]);
        assert_eq!(crate::cpu::here(|off| read(b"\x89PNG\r\n\x1a\n\0\0\0", off)), Err(FileProblem::NotSpreadsheet));
    }

    #[test]
    fn the_heading_is_found_below_title_rows_and_mapped_by_name() {
        let rows: Vec<Vec<String>> = [
            vec!["太原市青少年科技教育协会会员花名册", "", ""],
            vec!["", "", ""],
            vec!["序号", "姓 名", "身份证号码", "联系电话"],
        ]
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
        let at = find_heading(&rows).unwrap();
        assert_eq!(at, 2);
        let mapping = auto_mapping(&rows[at], &BTreeMap::new());
        assert_eq!(mapping.get(&Field::Name), Some(&1));
        assert_eq!(mapping.get(&Field::IdNumber), Some(&2));
        assert_eq!(mapping.get(&Field::Mobile), Some(&3));
        let remembered = BTreeMap::from([("mobile".to_string(), "序号".to_string())]);
        assert_eq!(auto_mapping(&rows[at], &remembered).get(&Field::Mobile), Some(&0), "the city's own mapping wins");
        assert_eq!(find_heading(&rows[..2]), Err(FileProblem::NoHeading));
    }

    #[test]
    fn a_good_row_becomes_a_record_with_what_the_id_number_says() {
        let settings = crate::config::Settings::defaults();
        let (cells, mapping) = row(&[
            (Field::Name, "张伟"),
            (Field::IdNumber, "１４０１０５１９８５０６１２１２３５"),
            (Field::Mobile, "138 0013 8000"),
            (Field::Category, "高级会员"),
            (Field::Joined, "2014年3月5日"),
            (Field::Number, "SXK1010007M"),
        ]);
        let r = record(&cells, &mapping, &rules(&settings)).unwrap();
        assert_eq!(r.identity_key, "resident_id:140105198506121235");
        assert_eq!((r.gender.as_str(), r.birth_date.as_str()), ("male", "1985-06-12"));
        assert_eq!((r.category.as_str(), r.mobile.as_str()), ("senior", "13800138000"));
        assert_eq!(r.joined, Some(date!(2014 - 03 - 05)));
        assert_eq!(r.number.as_deref(), Some("SXK1010007M"));
    }

    #[test]
    fn id_numbers_mangled_by_excel_are_explained() {
        let settings = crate::config::Settings::defaults();
        let rules = rules(&settings);
        let explain = |id: &str| {
            let (cells, mapping) = row(&[(Field::Name, "李娜"), (Field::IdNumber, id)]);
            record(&cells, &mapping, &rules).unwrap_err().into_iter().map(|m| m.key).collect::<Vec<_>>()
        };
        assert_eq!(explain("1.40105E+17"), ["import.err_id_scientific"]);
        // 14010519900307001X without its X.
        let body = "14010519900307001";
        let fixed = format!("{body}X");
        if ResidentId::parse(&fixed).is_ok() {
            assert_eq!(explain(body), ["import.err_id_lost_x"]);
        }
        assert_eq!(explain("140105198506121234"), ["import.err_id"]);
        assert_eq!(explain(""), ["import.err_id_missing"]);
        let (cells, mapping) = row(&[(Field::Name, ""), (Field::Mobile, "12345"), (Field::Joined, "2030-01-01")]);
        let keys: Vec<_> = record(&cells, &mapping, &rules).unwrap_err().into_iter().map(|m| m.key).collect();
        assert_eq!(keys, ["import.err_name", "import.err_id_missing", "import.err_mobile", "import.err_joined_future"]);
    }

    #[test]
    fn old_numbers_are_kept_only_when_they_are_this_units() {
        let settings = crate::config::Settings::defaults();
        let rules = rules(&settings);
        assert_eq!(number_seq(&rules, "SXK1010007M"), Some(("M".into(), 7)));
        assert_eq!(number_seq(&rules, "SXK1020007M"), None, "another city's unit");
        assert_eq!(number_seq(&rules, "SXK101007M"), None, "wrong length");
        assert_eq!(number_seq(&rules, "SXK1010007Q"), None, "no such class");
    }
}
