//! Finding event logs in a folder tree by content.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Regular files under `dir` (recursively; links to folders are not followed) whose first
/// bytes are an `.evtx` or an event XML export (see [`super::detect`]), skipping names that
/// are errlogs' (found by [`crate::errlog::discover`]). Sorted by name within each folder.
pub fn discover_files(dir: impl AsRef<Path>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.as_ref().to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<_> = read.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let Ok(ft) = e.file_type() else { continue };
            let path = e.path();
            if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file()
                && crate::errlog::logset_name(&e.file_name().to_string_lossy()).is_none()
                && looks_like_events(&path)
            {
                out.push(path);
            }
        }
    }
    out
}

fn looks_like_events(path: &Path) -> bool {
    let mut head = [0u8; 512];
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let n = f.read(&mut head).unwrap_or(0);
    super::detect(&head[..n]).is_some()
}
