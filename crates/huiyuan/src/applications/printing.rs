//! The registration forms (个人/团体会员登记表) and the batch summary sheet (汇总表) as printed
//! sheets, laid out like the association's paper forms: the applicant's fields, then boxes
//! for the applicant's signature, the city's recommendation and the province's approval, each
//! with room for a seal. Filled from an application, or blank to download.

use super::fields::ID_TYPES;
use super::group::{CODE_TYPES, GroupForm};
use super::individual::IndividualForm;
use crate::config::Settings;
use crate::domain::Gender;
use crate::i18n::Lang;
use crate::print::Sheet;

/// What a filled form carries besides the applicant's fields.
pub struct Filled {
    /// The application's number, and the address its QR code opens.
    pub application: String,
    pub url: String,
    pub member_number: Option<String>,
    /// The reviewing city association (or the province for direct applications).
    pub city: String,
    pub category: String,
}

const SEAL: &str = "（盖章）        年    月    日";
const SIGNED: &str = "签字：              年    月    日";

/// The heading, QR code and number line of a form.
fn form_sheet(settings: &Settings, title: &str, filled: Option<&Filled>) -> Sheet {
    let mut sheet = Sheet::new(&settings.association.name, title, vec![1.3, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
    sheet.footnote = settings.print.form_note.clone();
    match filled {
        Some(f) => {
            sheet.qr = Some((f.url.clone(), format!("申请编号 {}", f.application)));
            sheet.top_left = format!("会员编号：{}", f.member_number.as_deref().unwrap_or(""));
        }
        None => sheet.top_left = "会员编号：".into(),
    }
    sheet
}

/// The reviewing city and the category asked for, blank on a blank form.
fn city_and_category(filled: Option<&Filled>) -> (&str, &str) {
    filled.map(|x| (x.city.as_str(), x.category.as_str())).unwrap_or(("", ""))
}

/// The three boxes at the foot of both forms.
fn review_boxes(sheet: &mut Sheet, applicant_label: &str, pledge: &str) {
    sheet.row(54.0).label(applicant_label).sign(7, pledge, SIGNED);
    sheet.row(70.0).label("市协会推荐意见").sign(7, "", SEAL);
    sheet.row(70.0).label("省协会审批意见").sign(7, "常务理事会决议文号：", SEAL);
}

pub fn individual(settings: &Settings, f: &IndividualForm, filled: Option<&Filled>) -> Sheet {
    let mut sheet = form_sheet(settings, &settings.print.individual_title, filled);
    let gender = Gender::parse(&f.gender).map(|g| Lang::Zh.t(g.label_key())).unwrap_or("");
    let id_type = ID_TYPES.iter().find(|(v, _)| *v == f.id_type).map(|(_, k)| Lang::Zh.t(k)).unwrap_or("");
    let service = match f.in_service.as_str() {
        "in_service" => "在职",
        "retired" => "退休",
        _ => "",
    };
    let (city, category) = city_and_category(filled);
    sheet
        .row(30.0)
        .label("姓名")
        .value(1, &f.name)
        .label("性别")
        .value(1, gender)
        .label("出生日期")
        .value(1, &f.birth_date)
        .tall(2, 4, "照片");
    sheet
        .row(30.0)
        .label("民族")
        .value(1, &f.ethnicity)
        .label("政治面貌")
        .value(1, &f.political_status)
        .label("最高学历")
        .value(1, &f.education);
    sheet.row(28.0).label("学位").value(1, &f.degree).label("职称").value(1, &f.title).label("职务").value(1, &f.post);
    sheet.row(28.0).label("证件类型").value(1, id_type).label("证件号码").value(3, &f.id_number);
    sheet.row(28.0).label("工作单位").value(5, &f.employer).label("在职/退休").value(1, service);
    sheet
        .row(30.0)
        .label("任教学科")
        .value(1, &f.subject)
        .label_span(2, "从事科技教育年限")
        .value(1, &f.years)
        .label("手机")
        .value(2, &f.mobile);
    sheet.row(28.0).label("电子邮箱").value(3, &f.email).label("邮政编码").value(3, &f.postcode);
    sheet.row(28.0).label("通讯地址").value(7, &f.address);
    sheet.row(28.0).label("所属市协会").value(3, city).label("申请类别").value(3, category);
    sheet.row(104.0).label("主要业绩").note(7, &f.achievements);
    sheet.row(72.0).label("获奖及论文").note(7, &f.awards);
    review_boxes(&mut sheet, "申请人声明", "本人自愿加入本会，遵守本会章程，承诺所填内容真实准确。");
    sheet
}

/// `reveal`: print the registered people's document numbers in full (for the applicant and
/// the reviewers); otherwise masked.
pub fn group(settings: &Settings, f: &GroupForm, filled: Option<&Filled>, reveal: bool) -> Sheet {
    let mut sheet = form_sheet(settings, &settings.print.group_title, filled);
    let code_type =
        CODE_TYPES.iter().find(|(v, _)| *v == f.code_type).map(|(_, k)| Lang::Zh.t(k)).unwrap_or("统一社会信用代码");
    let (city, category) = city_and_category(filled);
    sheet.row(26.0).label("单位名称").value(7, &f.name);
    sheet.row(26.0).label("单位类型").value(1, &f.institution_type).label_span(2, code_type).value(4, &f.code);
    sheet
        .row(30.0)
        .label("法定代表人")
        .value(3, &f.legal_rep)
        .label_span(2, "科技教育负责人")
        .value(2, &f.science_head);
    sheet
        .row(30.0)
        .label("联系人")
        .value(1, &f.contact_name)
        .label("职务")
        .value(1, &f.contact_post)
        .label("手机")
        .value(3, &f.contact_mobile);
    sheet.row(26.0).label("电子邮箱").value(3, &f.contact_email).label("邮政编码").value(3, &f.postcode);
    sheet.row(26.0).label("通讯地址").value(7, &f.address);
    sheet
        .row(30.0)
        .label("在校学生")
        .value(1, &f.students)
        .label("教职工")
        .value(1, &f.staff)
        .label("专职辅导员")
        .value(1, &f.counsellors_full)
        .label("兼职辅导员")
        .value(1, &f.counsellors_part);
    sheet.row(26.0).label("所属市协会").value(3, city).label("申请类别").value(3, category);
    sheet.row(76.0).label("科技教育活动情况").note(7, &f.activities);
    let conditions: Vec<String> = settings
        .joining
        .group_conditions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let d = f.condition(i);
            let mark = if d.met { "√" } else { "□" };
            if d.text.is_empty() { format!("{mark} {c}") } else { format!("{mark} {c}：{}", d.text) }
        })
        .collect();
    sheet.row(92.0).label("入会条件").note(7, &conditions.join("\n"));
    let max = settings.joining.group_individuals_max;
    let people_h = 19.0;
    sheet.row(people_h).tall(1, max + 1, "登记的个人会员").head("序号").label_span(2, "姓名").label_span(4, "证件号码");
    for i in 0..max {
        let p = f.person(i);
        let number = if reveal { p.id_number.clone() } else { crate::domain::mask_document(&p.id_number) };
        sheet.row(people_h).skip(1).value(1, &(i + 1).to_string()).value(2, &p.name).value(4, &number);
    }
    sheet.row(56.0).label("单位意见").sign(
        7,
        "本单位自愿加入本会，遵守本会章程，承诺所填内容真实准确。",
        "单位负责人签字（公章）     年    月    日",
    );
    sheet.row(62.0).label("市协会推荐意见").sign(7, "", SEAL);
    sheet.row(62.0).label("省协会审批意见").sign(7, "常务理事会决议文号：", SEAL);
    sheet
}

/// One line of a batch's summary sheet.
pub struct SummaryLine {
    pub name: String,
    pub kind: String,
    pub category: String,
    pub gender: String,
    pub id_masked: String,
    pub employer: String,
    pub mobile: String,
    pub opinion: String,
}

pub fn summary(settings: &Settings, batch: &str, city: &str, forwarded: &str, lines: &[SummaryLine]) -> Sheet {
    let columns = vec![0.6, 1.6, 1.0, 1.1, 0.6, 2.0, 2.6, 1.5, 2.2];
    let mut sheet = Sheet::new(&settings.association.name, &settings.print.summary_title, columns);
    sheet.landscape = true;
    sheet.subtitle = format!("{city} · {batch}");
    sheet.top_left = if forwarded.is_empty() {
        format!("报送单位：{city}（盖章）        共 {} 份", lines.len())
    } else {
        format!("报送单位：{city}（盖章）        报送日期：{forwarded}        共 {} 份", lines.len())
    };
    sheet.header_rows = 1;
    sheet
        .row(26.0)
        .head("序号")
        .head("姓名／单位名称")
        .head("会员类型")
        .head("申请类别")
        .head("性别")
        .head("证件号码")
        .head("工作单位／单位类型")
        .head("联系电话")
        .head("市协会推荐意见");
    for (i, l) in lines.iter().enumerate() {
        sheet
            .row(30.0)
            .value(1, &(i + 1).to_string())
            .value(1, &l.name)
            .value(1, &l.kind)
            .value(1, &l.category)
            .value(1, &l.gender)
            .value(1, &l.id_masked)
            .value(1, &l.employer)
            .value(1, &l.mobile)
            .value(1, &l.opinion);
    }
    sheet.footnote = "证件号码已部分隐去；完整信息见各申请人的入会登记表。".into();
    sheet
}
