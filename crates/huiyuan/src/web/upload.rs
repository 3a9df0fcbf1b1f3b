//! A multipart form as the upload routes read it: its text fields and its files (name and
//! bytes), with every transport failure — above all a body over the limit — as one error
//! the caller words (the limit it names differs by route).

use axum::body::Bytes;
use axum::extract::Multipart;

/// What a multipart form carried.
#[derive(Debug, Default)]
pub struct Upload {
    pub fields: Vec<(String, String)>,
    /// (file name as sent, bytes) of each part named `file` that is not empty.
    pub files: Vec<(String, Bytes)>,
}

impl Upload {
    pub fn field(&self, name: &str) -> String {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// The first file sent, if any.
    pub fn file(&self) -> Option<&(String, Bytes)> {
        self.files.first()
    }
}

/// Read the whole form; `failed` is the caller's error for a body that could not be read.
pub async fn read<E>(mut multipart: Multipart, failed: impl Fn() -> E) -> Result<Upload, E> {
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(|_| failed())? {
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) if name == "file" => {
                let bytes = field.bytes().await.map_err(|_| failed())?;
                if !file_name.is_empty() || !bytes.is_empty() {
                    upload.files.push((file_name, bytes));
                }
            }
            _ => upload.fields.push((name, field.text().await.map_err(|_| failed())?)),
        }
    }
    Ok(upload)
}
