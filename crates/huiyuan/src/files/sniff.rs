//! What an upload really is, from its bytes.

use crate::i18n::Msg;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    Jpeg,
    Png,
    /// Word 97–2003 / Excel 97–2003 (both are OLE compound files).
    OleDocument,
    Docx,
    Xlsx,
    Zip,
}

impl Kind {
    pub fn mime(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::OleDocument => "application/vnd.ms-office",
            Kind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::Zip => "application/zip",
        }
    }

    /// Extensions a file of this kind may carry.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            Kind::Pdf => &["pdf"],
            Kind::Jpeg => &["jpg", "jpeg"],
            Kind::Png => &["png"],
            Kind::OleDocument => &["doc", "xls"],
            Kind::Docx => &["docx"],
            Kind::Xlsx => &["xlsx"],
            Kind::Zip => &["zip"],
        }
    }

    /// May the browser show this inline (rather than download it)?
    pub fn inline(mime: &str) -> bool {
        matches!(mime, "application/pdf" | "image/jpeg" | "image/png")
    }
}

/// The accepted extensions, for the form's hint and `accept=` attribute.
pub const ACCEPTED: &str = ".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx,.zip";

fn detect(bytes: &[u8]) -> Option<Kind> {
    let t = infer::get(bytes)?;
    Some(match t.mime_type() {
        "application/pdf" => Kind::Pdf,
        "image/jpeg" => Kind::Jpeg,
        "image/png" => Kind::Png,
        "application/msword" | "application/vnd.ms-excel" | "application/x-ole-storage" => Kind::OleDocument,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => Kind::Docx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => Kind::Xlsx,
        "application/zip" => Kind::Zip,
        _ => return None,
    })
}

/// Accept an upload only if its content is an accepted kind matching its extension.
pub fn check_upload(name: &str, bytes: &[u8], max_bytes: usize) -> Result<Kind, Msg> {
    if bytes.is_empty() {
        return Err(Msg::new("err.file_empty"));
    }
    if bytes.len() > max_bytes {
        return Err(Msg::new("err.file_too_large")
            .arg("max", crate::files::human_size(i64::try_from(max_bytes).unwrap_or(i64::MAX))));
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let Some(kind) = detect(bytes) else {
        return Err(Msg::new("err.file_type").arg("accepted", ACCEPTED));
    };
    if !kind.extensions().contains(&ext.as_str()) {
        return Err(Msg::new("err.file_disguised"));
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R'];
    const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";

    #[test]
    fn content_decides_not_the_name() {
        assert_eq!(check_upload("通知.pdf", PDF, 1000), Ok(Kind::Pdf));
        assert_eq!(check_upload("图.PNG", PNG, 1000), Ok(Kind::Png));
        assert_eq!(check_upload("summary.pdf", EXE, 1000).unwrap_err().key, "err.file_type");
        assert_eq!(check_upload("photo.jpg", PDF, 1000).unwrap_err().key, "err.file_disguised");
        assert_eq!(check_upload("x.pdf", b"just text", 1000).unwrap_err().key, "err.file_type");
    }

    #[test]
    fn empty_and_oversized_files_are_refused() {
        assert_eq!(check_upload("a.pdf", b"", 10).unwrap_err().key, "err.file_empty");
        assert_eq!(check_upload("a.pdf", PDF, 10).unwrap_err().key, "err.file_too_large");
    }
}
