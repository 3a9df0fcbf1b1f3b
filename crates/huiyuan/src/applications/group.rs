//! The group application form (第六届团体会员登记表): the institution, its people in charge and
//! contact, its counts of students, staff and science-tech counsellors, its record, a
//! declaration with supporting text for each of the settings' group conditions (§一.(一).2),
//! and the 3–5 individual members it registers with it.
//!
//! Like the individual form it is kept as typed (normalised) and stored as JSON; `check`
//! reports every problem at once or gives the facts. Whether each registered person really
//! is a member or an applicant is a question for the database, answered at submission.

use serde::{Deserialize, Serialize};

use super::fields::{Facts, LINE, LONG, SHORT, check_document, choice, city_choice, text};
use crate::config::{CategoryKind, Settings};
use crate::domain::{CreditCode, Email, Mobile, Postcode, ResidentId};
use crate::error::FieldErrors;
use crate::i18n::Msg;
use crate::storage::OrgId;
use crate::text::{has_control, normalize, normalize_line};

/// The form's numbered rows (conditions and registered people): the settings' limit.
pub const MAX_ROWS: usize = crate::config::MAX_GROUP_ROWS;

/// Field names of the numbered rows (error messages need `'static` names).
pub const CONDITION_FIELDS: [&str; MAX_ROWS] =
    ["cond_0", "cond_1", "cond_2", "cond_3", "cond_4", "cond_5", "cond_6", "cond_7", "cond_8", "cond_9"];
pub const PERSON_FIELDS: [&str; MAX_ROWS] = [
    "person_0", "person_1", "person_2", "person_3", "person_4", "person_5", "person_6", "person_7", "person_8",
    "person_9",
];

/// How the institution is identified: its unified social credit code, or (for a private
/// school without one at hand) its school licence number (办学许可证号).
pub const CODE_TYPES: [(&str, &str); 2] = [("credit_code", "app.code_credit"), ("licence", "app.code_licence")];

/// One of the group conditions: declared met, and how.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Condition {
    pub met: bool,
    pub text: String,
}

/// An individual member the group registers with it, by name and ID document number.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Person {
    pub name: String,
    pub id_number: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupForm {
    // 单位信息
    pub name: String,
    pub institution_type: String,
    pub code_type: String,
    pub code: String,
    pub legal_rep: String,
    pub science_head: String,
    // 联系人
    pub contact_name: String,
    pub contact_post: String,
    pub contact_mobile: String,
    pub contact_email: String,
    pub address: String,
    pub postcode: String,
    // 规模
    pub students: String,
    pub staff: String,
    pub counsellors_full: String,
    pub counsellors_part: String,
    // 申请
    pub city: String,
    pub category: String,
    // 活动与获奖
    pub activities: String,
    pub awards: String,
    pub conditions: Vec<Condition>,
    pub people: Vec<Person>,
    /// The institution vouches for what it filled in (本单位承诺所填内容真实).
    pub consent: String,
}

const COUNT_MAX: u32 = 1_000_000;

impl GroupForm {
    /// The form from posted fields (`cond_N`, `cond_text_N`, `person_name_N`, `person_id_N`
    /// for the numbered rows); `intent` and the CSRF token are not part of it.
    pub fn from_pairs(pairs: &[(String, String)]) -> GroupForm {
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let conditions = (0..MAX_ROWS)
            .map(|i| Condition { met: get(&format!("cond_{i}")) == "yes", text: get(&format!("cond_text_{i}")) })
            .collect();
        let people = (0..MAX_ROWS)
            .map(|i| Person { name: get(&format!("person_name_{i}")), id_number: get(&format!("person_id_{i}")) })
            .collect();
        GroupForm {
            name: get("name"),
            institution_type: get("institution_type"),
            code_type: get("code_type"),
            code: get("code"),
            legal_rep: get("legal_rep"),
            science_head: get("science_head"),
            contact_name: get("contact_name"),
            contact_post: get("contact_post"),
            contact_mobile: get("contact_mobile"),
            contact_email: get("contact_email"),
            address: get("address"),
            postcode: get("postcode"),
            students: get("students"),
            staff: get("staff"),
            counsellors_full: get("counsellors_full"),
            counsellors_part: get("counsellors_part"),
            city: get("city"),
            category: get("category"),
            activities: get("activities"),
            awards: get("awards"),
            conditions,
            people,
            consent: get("consent"),
        }
    }

    /// Trim and normalise what was typed; empty rows of people are dropped, the conditions
    /// keep their positions.
    pub fn normalized(mut self) -> GroupForm {
        for f in [
            &mut self.name,
            &mut self.legal_rep,
            &mut self.science_head,
            &mut self.contact_name,
            &mut self.contact_post,
            &mut self.address,
        ] {
            *f = normalize_line(f);
        }
        for f in [
            &mut self.contact_mobile,
            &mut self.contact_email,
            &mut self.postcode,
            &mut self.students,
            &mut self.staff,
            &mut self.counsellors_full,
            &mut self.counsellors_part,
        ] {
            *f = normalize(f);
        }
        self.code = normalize(&self.code).chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        for f in [&mut self.activities, &mut self.awards] {
            *f = f.replace("\r\n", "\n").trim().to_string();
        }
        for c in &mut self.conditions {
            c.text = c.text.replace("\r\n", "\n").trim().to_string();
        }
        while self.conditions.last().is_some_and(|c| !c.met && c.text.is_empty()) {
            self.conditions.pop();
        }
        self.people = self
            .people
            .into_iter()
            .map(|p| Person {
                name: normalize_line(&p.name),
                id_number: normalize(&p.id_number).replace(' ', "").to_uppercase(),
            })
            .filter(|p| !p.name.is_empty() || !p.id_number.is_empty())
            .collect();
        self
    }

    /// The registered people whose rows are well-formed: (row, name, document number); the
    /// problems of the others go to `e`.
    pub fn registered_people(&self, e: &mut FieldErrors) -> Vec<(usize, String, String)> {
        let mut people = Vec::new();
        for (i, p) in self.people.iter().enumerate().take(MAX_ROWS) {
            let field = PERSON_FIELDS[i];
            if p.name.is_empty() {
                e.add(field, Msg::new("err.person_name"));
            } else if p.name.chars().count() > SHORT || has_control(&p.name) {
                e.add(field, Msg::new("err.invalid_chars"));
            } else {
                match person_document(&p.id_number) {
                    Err(m) => e.add(field, m),
                    Ok(_) if self.people[..i].iter().any(|q| q.id_number == p.id_number) => {
                        e.add(field, Msg::new("err.person_twice"))
                    }
                    Ok(number) => people.push((i, p.name.clone(), number)),
                }
            }
        }
        people
    }

    /// The identity key of a draft whose code is already well-formed.
    pub fn identity_key(&self) -> Option<String> {
        institution_code(&self.code_type, &self.code).ok().map(|code| format!("{}:{code}", self.code_type))
    }

    /// The condition at `i` (empty when the form has fewer rows).
    pub fn condition(&self, i: usize) -> Condition {
        self.conditions.get(i).cloned().unwrap_or_default()
    }

    /// The person at `i` (empty when the form has fewer rows).
    pub fn person(&self, i: usize) -> Person {
        self.people.get(i).cloned().unwrap_or_default()
    }

    pub fn check(&self, settings: &Settings, cities: &[OrgId]) -> Result<Facts, FieldErrors> {
        let mut e = FieldErrors::new();
        let j = &settings.joining;
        text(&mut e, "name", &self.name, LINE, true);
        choice(&mut e, "institution_type", &self.institution_type, &j.institution_types, true);
        let code = match self.code_type.as_str() {
            "" => {
                e.add("code_type", Msg::new("err.required"));
                None
            }
            t => institution_code(t, &self.code).map_err(|m| e.add("code", m)).ok(),
        };
        text(&mut e, "legal_rep", &self.legal_rep, SHORT, true);
        text(&mut e, "science_head", &self.science_head, SHORT, true);
        text(&mut e, "contact_name", &self.contact_name, SHORT, true);
        text(&mut e, "contact_post", &self.contact_post, SHORT, false);
        let _ = Mobile::parse(&self.contact_mobile).map_err(|m| e.add("contact_mobile", m));
        let _ = Email::parse(&self.contact_email).map_err(|m| e.add("contact_email", m));
        text(&mut e, "address", &self.address, LINE, true);
        let _ = Postcode::parse(&self.postcode).map_err(|m| e.add("postcode", m));
        for (field, value) in [
            ("students", &self.students),
            ("staff", &self.staff),
            ("counsellors_full", &self.counsellors_full),
            ("counsellors_part", &self.counsellors_part),
        ] {
            match value.parse::<u32>() {
                _ if value.is_empty() => e.add(field, Msg::new("err.required")),
                Ok(n) if n <= COUNT_MAX => {}
                _ => e.add(field, Msg::new("err.count")),
            }
        }
        let org_id = city_choice(&mut e, &self.city, cities);
        let category = settings
            .categories
            .iter()
            .find(|c| c.code == self.category && c.requestable && c.kind != CategoryKind::Individual);
        match (self.category.as_str(), category) {
            ("", _) => e.add("category", Msg::new("err.required")),
            (_, None) => e.add("category", Msg::new("err.choice")),
            _ => {}
        }
        text(&mut e, "activities", &self.activities, LONG, true);
        text(&mut e, "awards", &self.awards, LONG, false);
        for (i, field) in CONDITION_FIELDS.iter().enumerate().take(j.group_conditions.len()) {
            let c = self.condition(i);
            if !c.met {
                e.add(field, Msg::new("err.condition_undeclared"));
            } else if c.text.is_empty() {
                e.add(field, Msg::new("err.condition_text"));
            } else if c.text.chars().count() > 1000 {
                e.add(field, Msg::new("err.too_long").arg("max", 1000));
            }
        }
        let (min, max) = (j.group_individuals_min, j.group_individuals_max);
        if !(min..=max).contains(&self.people.len()) {
            e.add("people", Msg::new("err.people_count").arg("min", min).arg("max", max));
        }
        self.registered_people(&mut e);
        if self.consent != "yes" {
            e.add("consent", Msg::new("err.group_consent"));
        }
        match (e.is_empty(), code, org_id, category) {
            (true, Some(code), Some(org_id), Some(c)) => Ok(Facts {
                name: self.name.clone(),
                identity_key: format!("{}:{code}", self.code_type),
                category: c.code.clone(),
                org_id,
            }),
            _ => Err(e),
        }
    }
}

/// A well-formed credit code or school licence number.
fn institution_code(code_type: &str, code: &str) -> Result<String, Msg> {
    match code_type {
        "credit_code" => CreditCode::parse(code).map(|c| c.as_str().to_string()),
        "licence" => {
            let s: String = normalize(code).chars().filter(|c| !c.is_whitespace()).collect();
            let n = s.chars().count();
            if s.is_empty() {
                Err(Msg::new("err.required"))
            } else if (6..=40).contains(&n) && !has_control(&s) {
                Ok(s.to_uppercase())
            } else {
                Err(Msg::new("err.licence_format"))
            }
        }
        _ => Err(Msg::new("err.choice")),
    }
}

/// A registered person's document: a resident ID (check digit and all) when it looks like
/// one, else any other document's number.
fn person_document(number: &str) -> Result<String, Msg> {
    if number.is_empty() {
        return Err(Msg::new("err.person_id"));
    }
    if number.len() == 18 && number[..17].bytes().all(|b| b.is_ascii_digit()) {
        return ResidentId::parse(number).map(|id| id.as_str().to_string());
    }
    check_document("passport", number).map_err(|(_, m)| m)
}

/// The identity keys a registered person's number may be recorded under (any document type).
pub fn identity_keys(number: &str) -> Vec<String> {
    super::fields::ID_TYPES.iter().map(|(t, _)| format!("{t}:{number}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> GroupForm {
        GroupForm {
            name: "太原市第五中学校".into(),
            institution_type: "中小学".into(),
            code_type: "credit_code".into(),
            code: "91350100M000100Y43".into(),
            legal_rep: "王校长".into(),
            science_head: "李主任".into(),
            contact_name: "赵老师".into(),
            contact_mobile: "13912345678".into(),
            contact_email: "kjb@example.org".into(),
            address: "太原市小店区坞城路1号".into(),
            postcode: "030006".into(),
            students: "2400".into(),
            staff: "180".into(),
            counsellors_full: "3".into(),
            counsellors_part: "12".into(),
            city: "2".into(),
            category: "group".into(),
            activities: "每年举办校园科技节，组织学生参加青少年科技创新大赛。".into(),
            conditions: (0..5).map(|_| Condition { met: true, text: "有具体做法".into() }).collect(),
            people: vec![
                Person { name: "张伟".into(), id_number: "140105199003074910".into() },
                Person { name: "刘芳".into(), id_number: "140105199208150622".into() },
                Person { name: "王建国".into(), id_number: "E12345678".into() },
            ],
            consent: "yes".into(),
            ..GroupForm::default()
        }
    }

    fn check(f: &GroupForm) -> Result<Facts, FieldErrors> {
        f.check(&Settings::defaults(), &[OrgId(2)])
    }

    #[test]
    fn a_complete_form_gives_its_facts_and_people() {
        let facts = check(&complete()).unwrap();
        assert_eq!(facts.identity_key, "credit_code:91350100M000100Y43");
        assert_eq!(facts.category, "group");
        let people = complete().registered_people(&mut FieldErrors::new());
        assert_eq!(people.len(), 3);
        assert_eq!(people[1], (1, "刘芳".to_string(), "140105199208150622".to_string()));
    }

    #[test]
    fn a_credit_code_with_a_wrong_check_character_is_refused() {
        let f = GroupForm { code: "91350100M000100Y44".into(), ..complete() };
        assert_eq!(check(&f).unwrap_err().get("code").unwrap().key, "err.credit_code_check");
        let f = GroupForm { code_type: "licence".into(), code: "教民140100700001号".into(), ..complete() };
        assert_eq!(check(&f).unwrap().identity_key, "licence:教民140100700001号");
    }

    #[test]
    fn every_condition_is_declared_with_supporting_text() {
        let mut f = complete();
        f.conditions[1].met = false;
        f.conditions[3].text.clear();
        let e = check(&f).unwrap_err();
        assert_eq!(e.get("cond_1").unwrap().key, "err.condition_undeclared");
        assert_eq!(e.get("cond_3").unwrap().key, "err.condition_text");
        assert!(e.get("cond_0").is_none());
    }

    #[test]
    fn three_to_five_people_each_with_a_valid_unique_document() {
        let mut f = complete();
        f.people.truncate(2);
        assert_eq!(check(&f).unwrap_err().get("people").unwrap().key, "err.people_count");
        let mut f = complete();
        f.people[1].id_number = "140105199208150621".into();
        f.people[2].id_number = "140105199003074910".into();
        let e = check(&f).unwrap_err();
        assert_eq!(e.get("person_1").unwrap().key, "err.id_check");
        assert_eq!(e.get("person_2").unwrap().key, "err.person_twice");
    }

    #[test]
    fn posted_rows_come_back_in_place_and_empty_rows_go() {
        let pairs: Vec<(String, String)> = [
            ("name", " 太原市 第五中学校 "),
            ("cond_0", "yes"),
            ("cond_text_0", " 遵守章程 "),
            ("person_name_0", "张伟"),
            ("person_id_0", "１４０１０５１９９００３０７４９１０"),
            ("person_name_2", "刘芳"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let f = GroupForm::from_pairs(&pairs).normalized();
        assert_eq!(f.name, "太原市 第五中学校");
        assert_eq!(f.conditions, vec![Condition { met: true, text: "遵守章程".into() }]);
        assert_eq!(f.people.len(), 2);
        assert_eq!(f.person(0).id_number, "140105199003074910");
        assert_eq!(f.person(1).name, "刘芳");
    }
}
