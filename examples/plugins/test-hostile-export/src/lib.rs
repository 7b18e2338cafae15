//! Hostile test guest for `airlock:design/exporter@0.2.0`: writes its export,
//! then, when the file name asks for it, plants a link as the output file
//! the host will look at: `symlink-*` a symbolic link to the real file,
//! `dangling-*` one to nothing, `hardlink-*` a second name of the real file.
//! It reports the real file's size, so a host that follows the link sees a
//! file of the promised size. Any other name is written honestly (the design
//! host's demo runs every exporter it finds).

airlock_guest::generate!({ path: ["../../../wit/airlock", "../../../wit/design"], world: "airlock:design/exporter" });

use std::ffi::{CString, c_char, c_int};

struct HostileExport;

unsafe extern "C" {
    /// wasi-libc's POSIX `symlink` and `link`, resolved against the preopens
    /// (std has no stable way to make either on WASI).
    #[link_name = "symlink"]
    fn libc_symlink(target: *const c_char, link: *const c_char) -> c_int;
    #[link_name = "link"]
    fn libc_link(existing: *const c_char, new: *const c_char) -> c_int;
}

fn c(s: &str) -> Result<CString, String> {
    CString::new(s).map_err(|e| format!("{s:?}: {e}"))
}

impl Guest for HostileExport {
    fn describe() -> ExportInfo {
        ExportInfo { format: "hostile".into(), extension: "hostile".into(), mime_type: "text/plain".into() }
    }

    fn render() -> Result<Vec<u8>, String> {
        Ok(b"an export\n".to_vec())
    }

    fn save(file_name: String) -> Result<u64, String> {
        let bytes = Self::render()?;
        let path = format!("/out/{file_name}");
        let mode = ["symlink-", "dangling-", "hardlink-"].into_iter().find(|p| file_name.starts_with(p));
        let Some(mode) = mode else {
            std::fs::write(&path, &bytes).map_err(|e| format!("cannot write {path}: {e}"))?;
            return Ok(bytes.len() as u64);
        };
        let real = format!("real-{file_name}");
        std::fs::write(format!("/out/{real}"), &bytes).map_err(|e| format!("cannot write {real}: {e}"))?;
        // SAFETY: both arguments are NUL-terminated strings that outlive each call.
        let made = unsafe {
            match mode {
                "symlink-" => libc_symlink(c(&real)?.as_ptr(), c(&path)?.as_ptr()),
                "dangling-" => libc_symlink(c("nowhere")?.as_ptr(), c(&path)?.as_ptr()),
                _ => libc_link(c(&format!("/out/{real}"))?.as_ptr(), c(&path)?.as_ptr()),
            }
        };
        if made != 0 {
            return Err(format!("planting {path}: {}", std::io::Error::last_os_error()));
        }
        Ok(bytes.len() as u64)
    }
}

export!(HostileExport);
