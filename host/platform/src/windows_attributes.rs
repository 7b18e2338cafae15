//! The process-thread attribute list a Windows runner is created with:
//! exactly the handles it inherits, and — where the system takes them —
//! the mitigation policies and the child-process policy it starts under,
//! in force before its first instruction (a runner cannot be trusted to
//! set them itself: it compiles and instantiates untrusted code first).

use std::io;

use windows_sys::Win32::Foundation::{FALSE, HANDLE};
use windows_sys::Win32::System::Threading::{
    DeleteProcThreadAttributeList, InitializeProcThreadAttributeList, LPPROC_THREAD_ATTRIBUTE_LIST,
    PROC_THREAD_ATTRIBUTE_CHILD_PROCESS_POLICY, PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
    PROC_THREAD_ATTRIBUTE_MITIGATION_POLICY, UpdateProcThreadAttribute,
};
use windows_sys::Win32::System::WindowsProgramming::PROCESS_CREATION_CHILD_PROCESS_RESTRICTED;

/// `PROCESS_CREATION_MITIGATION_POLICY_*_ALWAYS_ON` (winnt.h): extension
/// points (AppInit DLLs, hooks, IMEs) off; no images from remote files or
/// files labelled low integrity; System32's DLLs before the program's.
const MITIGATIONS: u64 = (1 << 32) | (1 << 52) | (1 << 56) | (1 << 60);

/// An initialised attribute list and the values it points into.
pub(crate) struct Attributes {
    buf: Vec<u64>,
    initialised: bool,
    /// Each value the list points into, boxed so that it stays put.
    handles: Box<[HANDLE]>,
    mitigations: Box<u64>,
    child_policy: Box<u32>,
}

impl Attributes {
    /// A list naming `handles` (no handle list when empty) and, with
    /// `policies`, the creation-time policies; each policy the system
    /// refuses is said in the returned notes.
    pub(crate) fn new(handles: &[HANDLE], policies: bool) -> io::Result<(Attributes, Vec<String>)> {
        let count = u32::from(!handles.is_empty()) + if policies { 2 } else { 0 };
        let mut size = 0;
        // SAFETY: the documented size query (fails, filling `size`).
        unsafe {
            InitializeProcThreadAttributeList(std::ptr::null_mut(), count.max(1), 0, &mut size)
        };
        let mut this = Attributes {
            buf: vec![0u64; size.div_ceil(8).max(1)],
            initialised: false,
            handles: handles.into(),
            mitigations: Box::new(MITIGATIONS),
            child_policy: Box::new(PROCESS_CREATION_CHILD_PROCESS_RESTRICTED),
        };
        // SAFETY: a buffer of at least `size` bytes, 8-aligned.
        if unsafe { InitializeProcThreadAttributeList(this.list(), count.max(1), 0, &mut size) }
            == FALSE
        {
            return Err(io::Error::last_os_error());
        }
        this.initialised = true;
        if !this.handles.is_empty() {
            let (ptr, len) = (this.handles.as_ptr().cast(), size_of_val(&*this.handles));
            this.update(PROC_THREAD_ATTRIBUTE_HANDLE_LIST, ptr, len)?;
        }
        let mut notes = Vec::new();
        if policies {
            let mitigations = (&raw const *this.mitigations).cast();
            if let Err(e) = this.update(PROC_THREAD_ATTRIBUTE_MITIGATION_POLICY, mitigations, 8) {
                notes.push(format!("creation-time mitigation policies: refused ({e})"));
            }
            let child = (&raw const *this.child_policy).cast();
            if let Err(e) = this.update(PROC_THREAD_ATTRIBUTE_CHILD_PROCESS_POLICY, child, 4) {
                notes.push(format!("child-process policy: refused ({e})"));
            }
        }
        Ok((this, notes))
    }

    fn update(
        &mut self,
        attribute: u32,
        value: *const std::ffi::c_void,
        len: usize,
    ) -> io::Result<()> {
        // SAFETY: the list made in `new`; `value` points into `self`'s boxes,
        // which live as long as the list.
        let updated = unsafe {
            UpdateProcThreadAttribute(
                self.list(),
                0,
                attribute as usize,
                value,
                len,
                std::ptr::null_mut(),
                std::ptr::null(),
            )
        };
        if updated == FALSE {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    pub(crate) fn list(&mut self) -> LPPROC_THREAD_ATTRIBUTE_LIST {
        self.buf.as_mut_ptr().cast()
    }
}

impl Drop for Attributes {
    fn drop(&mut self) {
        if self.initialised {
            // SAFETY: initialised in `new`, deleted once.
            unsafe { DeleteProcThreadAttributeList(self.list()) };
        }
    }
}
