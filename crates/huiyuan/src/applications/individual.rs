//! The individual application form (第六届个人会员登记表) and what a complete one must hold.
//!
//! The form is kept as typed (normalised) in `IndividualForm`, stored as JSON, so a draft
//! may be incomplete and a returned form comes back exactly as it was. `check` turns it into
//! field errors — every field at once, in the order of the paper form — or into the facts
//! the database needs (name, identity key, category, reviewing org).

use serde::{Deserialize, Serialize};

use super::fields::{Facts, LINE, LONG, SHORT, check_document, choice, city_choice, text};
use crate::config::{CategoryKind, Settings};
use crate::domain::parse_date;
use crate::domain::{Email, Gender, Mobile, Postcode, ResidentId};
use crate::error::FieldErrors;
use crate::i18n::Msg;
use crate::storage::OrgId;
use crate::text::{normalize, normalize_line};

/// China's 56 ethnic groups (GB 3304), plus the choice foreign applicants make.
pub const ETHNICITIES: [&str; 57] = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
    "外国血统",
];

/// The individual registration form, as typed (normalised). Field names follow the paper
/// form's order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IndividualForm {
    // 基本信息
    pub name: String,
    pub gender: String,
    pub birth_date: String,
    pub ethnicity: String,
    pub political_status: String,
    pub id_type: String,
    pub id_number: String,
    // 学历与工作
    pub education: String,
    pub degree: String,
    pub title: String,
    pub post: String,
    pub employer: String,
    pub in_service: String,
    pub subject: String,
    pub years: String,
    // 联系方式
    pub mobile: String,
    pub email: String,
    pub address: String,
    pub postcode: String,
    // 申请
    pub city: String,
    pub category: String,
    // 业绩与获奖
    pub achievements: String,
    pub awards: String,
    /// Consent to the processing of personal information (个人信息处理同意).
    pub consent: String,
}

impl IndividualForm {
    /// Trim and normalise what was typed, field by field (drafts are stored like this).
    pub fn normalized(mut self) -> IndividualForm {
        for f in [
            &mut self.name,
            &mut self.ethnicity,
            &mut self.political_status,
            &mut self.education,
            &mut self.degree,
            &mut self.title,
            &mut self.post,
            &mut self.employer,
            &mut self.subject,
            &mut self.address,
        ] {
            *f = normalize_line(f);
        }
        for f in [&mut self.birth_date, &mut self.years, &mut self.postcode, &mut self.mobile, &mut self.email] {
            *f = normalize(f);
        }
        // A date typed in another way (1985年6月12日, 1985.6.12) is shown back as the date
        // field's own form, so the phone's date picker can show it.
        if let Ok(born) = crate::domain::parse_date(&self.birth_date) {
            self.birth_date = born.to_string();
        }
        self.id_number = normalize(&self.id_number).replace(' ', "").to_uppercase();
        for f in [&mut self.achievements, &mut self.awards] {
            *f = f.replace("\r\n", "\n").trim().to_string();
        }
        self
    }

    /// The identity key of a draft, when its document number is already well-formed (one
    /// open application per person holds from the first save).
    pub fn identity_key(&self) -> Option<String> {
        check_document(&self.id_type, &self.id_number).ok().map(|doc| format!("{}:{doc}", self.id_type))
    }

    /// Every problem with the form, or the facts of a complete one. `cities` are the
    /// active city associations an applicant may choose.
    pub fn check(&self, settings: &Settings, cities: &[OrgId]) -> Result<Facts, FieldErrors> {
        let mut e = FieldErrors::new();
        let j = &settings.joining;
        text(&mut e, "name", &self.name, SHORT, true);
        let gender = Gender::parse(&self.gender).map_err(|m| e.add("gender", m)).ok();
        let birth = parse_date(&self.birth_date).map_err(|m| e.add("birth_date", m)).ok();
        choice(&mut e, "ethnicity", &self.ethnicity, &ETHNICITIES, true);
        choice(&mut e, "political_status", &self.political_status, &j.political_statuses, false);
        let document = check_document(&self.id_type, &self.id_number);
        match &document {
            Err((field, m)) => e.add(field, m.clone()),
            Ok(_) if matches!(self.id_type.as_str(), "resident_id" | "residence_permit") => {
                // The number carries the birth date and gender; they must agree with the form.
                if let Ok(id) = ResidentId::parse(&self.id_number) {
                    if birth.is_some_and(|b| b != id.birth_date()) {
                        e.add("id_number", Msg::new("err.id_birth_mismatch"));
                    } else if gender.is_some_and(|g| g != id.gender()) {
                        e.add("id_number", Msg::new("err.id_gender_mismatch"));
                    }
                }
            }
            Ok(_) => {}
        }
        if choice(&mut e, "education", &self.education, &j.education_levels, true)
            && !j.education_sufficient(&self.education)
        {
            e.add("education", Msg::new("err.education_below").arg_setting("min", settings, &j.min_education));
        }
        choice(&mut e, "degree", &self.degree, &j.degrees, false);
        text(&mut e, "title", &self.title, SHORT, false);
        text(&mut e, "post", &self.post, SHORT, false);
        text(&mut e, "employer", &self.employer, LINE, true);
        choice(&mut e, "in_service", &self.in_service, &["in_service", "retired"], true);
        text(&mut e, "subject", &self.subject, SHORT, false);
        match self.years.as_str() {
            "" => e.add("years", Msg::new("err.required")),
            y => match y.parse::<u32>() {
                Ok(n) if n <= 70 => {}
                _ => e.add("years", Msg::new("err.years")),
            },
        }
        let _ = Mobile::parse(&self.mobile).map_err(|m| e.add("mobile", m));
        let _ = Email::parse(&self.email).map_err(|m| e.add("email", m));
        text(&mut e, "address", &self.address, LINE, true);
        let _ = Postcode::parse(&self.postcode).map_err(|m| e.add("postcode", m));
        let org_id = city_choice(&mut e, &self.city, cities);
        let category = settings
            .categories
            .iter()
            .find(|c| c.code == self.category && c.requestable && c.kind != CategoryKind::Group);
        match (self.category.as_str(), category) {
            ("", _) => e.add("category", Msg::new("err.required")),
            (_, None) => e.add("category", Msg::new("err.choice")),
            (_, Some(c)) if c.code == "foreign" && self.id_type != "passport" => {
                e.add("category", Msg::new("err.foreign_needs_passport"))
            }
            _ => {}
        }
        // An age the category's members cannot plausibly have (the settings' range).
        if let (Some(c), Some(birth)) = (category, birth)
            && let Some(age) = c.age_outside(birth, settings.locale.today())
        {
            let [youngest, oldest] = c.ages.unwrap_or_default();
            e.add(
                "birth_date",
                Msg::new("err.age_outside")
                    .arg("age", age)
                    .arg("category", &c.name)
                    .arg("min", youngest)
                    .arg("max", oldest),
            );
        }
        text(&mut e, "achievements", &self.achievements, LONG, true);
        text(&mut e, "awards", &self.awards, LONG, false);
        if self.consent != "yes" {
            e.add("consent", Msg::new("err.consent"));
        }
        match (e.is_empty(), document, org_id, category) {
            (true, Ok(doc), Some(org_id), Some(c)) => Ok(Facts {
                name: self.name.clone(),
                identity_key: format!("{}:{doc}", self.id_type),
                category: c.code.clone(),
                org_id,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{Date, Month};

    fn complete() -> IndividualForm {
        IndividualForm {
            name: "张伟".into(),
            gender: "male".into(),
            birth_date: "1990-03-07".into(),
            ethnicity: "汉族".into(),
            id_type: "resident_id".into(),
            id_number: "140105199003074910".into(),
            education: "本科".into(),
            employer: "太原市第五中学".into(),
            in_service: "in_service".into(),
            years: "8".into(),
            mobile: "13800138000".into(),
            email: "zhangwei@example.org".into(),
            address: "太原市小店区".into(),
            postcode: "030006".into(),
            city: "2".into(),
            category: "ordinary".into(),
            achievements: "指导学生获全国青少年科技创新大赛二等奖。".into(),
            consent: "yes".into(),
            ..IndividualForm::default()
        }
    }

    fn check(f: &IndividualForm) -> Result<Facts, FieldErrors> {
        f.check(&Settings::defaults(), &[OrgId(2), OrgId(3)])
    }

    #[test]
    fn a_complete_form_gives_its_facts() {
        let facts = check(&complete()).unwrap();
        assert_eq!(facts.identity_key, "resident_id:140105199003074910");
        assert_eq!(facts.org_id, Some(OrgId(2)));
        assert_eq!(facts.category, "ordinary");
        let direct = IndividualForm { city: "direct".into(), ..complete() };
        assert_eq!(check(&direct).unwrap().org_id, None);
    }

    #[test]
    fn the_id_number_must_agree_with_birth_date_and_gender() {
        let f = IndividualForm { birth_date: "1990-03-08".into(), ..complete() };
        assert_eq!(check(&f).unwrap_err().get("id_number").unwrap().key, "err.id_birth_mismatch");
        let f = IndividualForm { gender: "female".into(), ..complete() };
        assert_eq!(check(&f).unwrap_err().get("id_number").unwrap().key, "err.id_gender_mismatch");
        let f = IndividualForm { id_number: "140105199003074911".into(), ..complete() };
        assert_eq!(check(&f).unwrap_err().get("id_number").unwrap().key, "err.id_check");
    }

    #[test]
    fn education_below_the_settings_minimum_is_refused() {
        let f = IndividualForm { education: "高中（中专）".into(), ..complete() };
        let e = check(&f).unwrap_err();
        assert_eq!(e.get("education").unwrap().key, "err.education_below");
        assert_eq!(e.get("education").unwrap().args[0].1, "大专");
        let english = crate::i18n::Lang::En.render(e.get("education").unwrap());
        assert!(english.contains("Junior college") && !english.contains("大专"), "{english}");
    }

    #[test]
    fn an_age_outside_the_category_range_is_refused_with_its_own_message() {
        // A passport carries no birth date: the form's own is checked against 18–100.
        let child = IndividualForm {
            id_type: "passport".into(),
            id_number: "E12345678".into(),
            category: "foreign".into(),
            birth_date: "2016-05-01".into(),
            ..complete()
        };
        let e = check(&child).unwrap_err();
        let m = e.get("birth_date").unwrap();
        assert_eq!((m.key, m.args[1].1.as_str(), m.args[2].1.as_str()), ("err.age_outside", "外籍会员", "18"));
        let adult = IndividualForm { birth_date: "1980-05-01".into(), ..child };
        assert!(check(&adult).err().and_then(|e| e.get("birth_date").cloned()).is_none());
    }

    #[test]
    fn every_missing_field_is_reported_at_once() {
        let e = check(&IndividualForm::default()).unwrap_err();
        for field in [
            "name",
            "gender",
            "birth_date",
            "ethnicity",
            "id_type",
            "education",
            "employer",
            "in_service",
            "years",
            "mobile",
            "email",
            "address",
            "postcode",
            "city",
            "category",
            "achievements",
            "consent",
        ] {
            assert!(e.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn other_documents_and_foreign_members() {
        let passport = IndividualForm {
            id_type: "passport".into(),
            id_number: "e1234 5678".into(),
            category: "foreign".into(),
            ..complete()
        };
        assert_eq!(check(&passport).unwrap().identity_key, "passport:E12345678");
        let f = IndividualForm { category: "foreign".into(), ..complete() };
        assert_eq!(check(&f).unwrap_err().get("category").unwrap().key, "err.foreign_needs_passport");
        let f = IndividualForm { category: "honorary".into(), ..complete() };
        assert_eq!(check(&f).unwrap_err().get("category").unwrap().key, "err.choice");
        let f = IndividualForm { city: "99".into(), ..complete() };
        assert_eq!(check(&f).unwrap_err().get("city").unwrap().key, "err.choice");
    }

    #[test]
    fn dates_in_the_ways_people_write_them() {
        for s in ["1990-03-07", "1990/3/7", "1990年3月7日", "１９９０-０３-０７"] {
            assert_eq!(parse_date(s).unwrap(), Date::from_calendar_date(1990, Month::March, 7).unwrap(), "{s}");
        }
        for s in ["1990-02-30", "07/03/1990", "yesterday", "1850-01-01"] {
            assert!(parse_date(s).is_err(), "{s}");
        }
    }

    #[test]
    fn normalising_keeps_what_matters() {
        let f = IndividualForm {
            name: " 张  伟 ".into(),
            id_number: "１４０１０５ １９９００３０７ ４９１０".into(),
            ..complete()
        }
        .normalized();
        assert_eq!(f.name, "张 伟");
        assert_eq!(f.id_number, "140105199003074910");
        assert_eq!(f.identity_key().unwrap(), "resident_id:140105199003074910");
    }
}
