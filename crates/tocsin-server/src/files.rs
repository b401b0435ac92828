//! Files Tocsin writes that must stay private: the database, the server key, credentials.

use std::path::Path;

/// Creates `path` for writing with mode 0600 (owner only); fails if it exists.
///
/// Errors: the file exists or cannot be created.
pub fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Replaces `path` with `contents`, owner-only (0600): written to a new file beside it,
/// synced, then renamed over it, so a reader never sees half of it.
///
/// Errors: the directory is not writable.
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let mut file = private_file(&tmp)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}
