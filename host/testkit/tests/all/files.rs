//! Real file work in a granted read-write folder succeeds under the full
//! lock-down: one test per kind of WASI filesystem call a plugin may make,
//! each checking from the host's side what the plugin did to the folder.
//! A system call missing from the seccomp allow-list kills the runner, so
//! each of these fails (as `Denied`) when the call it needs is not allowed.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use airlock::{Layer, PluginConfig, Policy};
use airlock_testkit::files::Files;

use crate::support::test_runner;

/// A fresh host folder, granted read-write at `/rw`, and a plugin on it.
struct Folder {
    dir: PathBuf,
    plugin: Files,
}

impl Folder {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("airlock-files-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the granted folder");
        // Every layer this machine and backend have: the point is that
        // they all hold.
        let mut required = vec![
            Layer::Seccomp,
            Layer::Landlock,
            Layer::NoNewPrivs,
            Layer::NotDumpable,
            Layer::CapabilitiesDropped,
            Layer::Rlimits,
        ];
        if test_runner().backend().namespaces() {
            required.extend([
                Layer::UserNamespace,
                Layer::MountNamespace,
                Layer::NetworkNamespace,
            ]);
        }
        let policy = Policy::default()
            .deadline(Duration::from_secs(20))
            .preopen(&dir, "/rw", true)
            .require(required);
        let config = PluginConfig::from_file("files", airlock_testkit::guest_path("test_files"))
            .expect("read the file-work guest")
            .policy(policy);
        let plugin = Files::start(&test_runner(), config).expect("start the file-work guest");
        Self { dir, plugin }
    }

    fn host(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.host(name))
            .unwrap_or_else(|e| panic!("read {name} from the host: {e}"))
    }

    fn write(&self, name: &str, content: &str) {
        std::fs::write(self.host(name), content).expect("write from the host");
    }

    /// The runner survived the call and its lock-down is on.
    fn still_locked_down(&self) {
        assert!(self.plugin.plugin().pid().is_some(), "the runner died");
        let layers = self.plugin.plugin().sandbox_layers().expect("layers");
        assert!(layers.seccomp && layers.landlock_abi > 0, "{layers:?}");
        assert_eq!(self.plugin.plugin().runners_started(), 1, "no restart");
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

#[test]
fn appending_adds_to_the_end_of_a_file() {
    let mut f = Folder::new("append");
    f.write("log.txt", "first\n");
    f.plugin
        .file_work()
        .append("/rw/log.txt", "second\n")
        .unwrap()
        .unwrap();
    f.plugin
        .file_work()
        .append("/rw/log.txt", "third\n")
        .unwrap()
        .unwrap();
    // Appending creates a file that is not there.
    f.plugin
        .file_work()
        .append("/rw/new.txt", "created\n")
        .unwrap()
        .unwrap();
    assert_eq!(f.read("log.txt"), "first\nsecond\nthird\n");
    assert_eq!(f.read("new.txt"), "created\n");
    f.still_locked_down();
}

#[test]
fn positioned_writes_change_only_their_bytes() {
    let mut f = Folder::new("pwrite");
    f.write("data.txt", "0123456789");
    f.plugin
        .file_work()
        .write_at("/rw/data.txt", 4, "ab")
        .unwrap()
        .unwrap();
    // Past the end: the gap reads as zeros.
    f.plugin
        .file_work()
        .write_at("/rw/data.txt", 12, "z")
        .unwrap()
        .unwrap();
    assert_eq!(f.read("data.txt"), "0123ab6789\0\0z");
    f.still_locked_down();
}

#[test]
fn positioned_reads_return_the_bytes_at_their_offset() {
    let mut f = Folder::new("pread");
    f.write("data.txt", "0123456789");
    assert_eq!(
        f.plugin
            .file_work()
            .read_at("/rw/data.txt", 3, 4)
            .unwrap()
            .unwrap(),
        "3456"
    );
    assert_eq!(
        f.plugin
            .file_work()
            .read_at("/rw/data.txt", 8, 10)
            .unwrap()
            .unwrap(),
        "89"
    );
    assert_eq!(
        f.plugin
            .file_work()
            .read_at("/rw/data.txt", 20, 4)
            .unwrap()
            .unwrap(),
        ""
    );
    f.still_locked_down();
}

#[test]
fn vectored_writes_write_every_buffer_in_order() {
    let mut f = Folder::new("writev");
    let parts: Vec<String> = ["alpha ", "", "beta ", "gamma"].map(String::from).into();
    f.plugin
        .file_work()
        .write_vectored("/rw/parts.txt", &parts)
        .unwrap()
        .unwrap();
    assert_eq!(f.read("parts.txt"), "alpha beta gamma");
    f.still_locked_down();
}

#[test]
fn vectored_reads_fill_every_buffer_in_order() {
    let mut f = Folder::new("readv");
    f.write("letters.txt", "abcdefghij");
    let got = f
        .plugin
        .file_work()
        .read_vectored("/rw/letters.txt", &[3, 0, 4, 10])
        .unwrap()
        .unwrap();
    assert_eq!(got, ["abc", "", "defg", "hij"]);
    f.still_locked_down();
}

#[test]
fn syncing_data_and_metadata_succeeds() {
    let mut f = Folder::new("sync");
    f.plugin
        .file_work()
        .write_synced("/rw/all.txt", "synced", false)
        .unwrap()
        .unwrap();
    f.plugin
        .file_work()
        .write_synced("/rw/data.txt", "data only", true)
        .unwrap()
        .unwrap();
    assert_eq!(f.read("all.txt"), "synced");
    assert_eq!(f.read("data.txt"), "data only");
    f.still_locked_down();
}

#[test]
fn metadata_is_read_by_path_and_by_descriptor() {
    let mut f = Folder::new("stat");
    f.write("five.txt", "12345");
    std::fs::create_dir(f.host("sub")).unwrap();
    assert_eq!(
        f.plugin.file_work().stat("/rw/five.txt").unwrap().unwrap(),
        (5, false)
    );
    assert!(
        f.plugin.file_work().stat("/rw/sub").unwrap().unwrap().1,
        "a directory"
    );
    f.still_locked_down();
}

#[test]
fn setting_times_is_seen_by_the_host() {
    let mut f = Folder::new("times");
    f.write("old.txt", "x");
    let when = 1_000_000_000;
    f.plugin
        .file_work()
        .set_modified("/rw/old.txt", when)
        .unwrap()
        .unwrap();
    let modified = std::fs::metadata(f.host("old.txt"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(modified, SystemTime::UNIX_EPOCH + Duration::from_secs(when));
    f.still_locked_down();
}

#[test]
fn setting_the_size_truncates_and_extends() {
    let mut f = Folder::new("size");
    f.write("size.txt", "0123456789");
    f.plugin
        .file_work()
        .set_size("/rw/size.txt", 4)
        .unwrap()
        .unwrap();
    assert_eq!(f.read("size.txt"), "0123");
    f.plugin
        .file_work()
        .set_size("/rw/size.txt", 6)
        .unwrap()
        .unwrap();
    assert_eq!(f.read("size.txt"), "0123\0\0");
    f.still_locked_down();
}

#[test]
fn renaming_within_the_folder_moves_the_file() {
    let mut f = Folder::new("rename");
    f.write("a.txt", "moved");
    std::fs::create_dir(f.host("sub")).unwrap();
    f.plugin
        .file_work()
        .rename("/rw/a.txt", "/rw/b.txt")
        .unwrap()
        .unwrap();
    assert!(!exists(&f.host("a.txt")));
    assert_eq!(f.read("b.txt"), "moved");
    f.plugin
        .file_work()
        .rename("/rw/b.txt", "/rw/sub/c.txt")
        .unwrap()
        .unwrap();
    assert_eq!(f.read("sub/c.txt"), "moved");
    // Over an existing file: replaced.
    f.write("d.txt", "old");
    f.plugin
        .file_work()
        .rename("/rw/sub/c.txt", "/rw/d.txt")
        .unwrap()
        .unwrap();
    assert_eq!(f.read("d.txt"), "moved");
    f.still_locked_down();
}

#[test]
fn directories_are_created_and_removed() {
    let mut f = Folder::new("dirs");
    f.plugin
        .file_work()
        .create_dir("/rw/made")
        .unwrap()
        .unwrap();
    assert!(f.host("made").is_dir());
    f.plugin
        .file_work()
        .create_dir("/rw/made/inner")
        .unwrap()
        .unwrap();
    assert!(f.host("made/inner").is_dir());
    // Not empty: refused, and nothing removed.
    let refused = f
        .plugin
        .file_work()
        .remove_dir("/rw/made")
        .unwrap()
        .unwrap_err();
    assert!(refused.contains("removing directory /rw/made"), "{refused}");
    f.plugin
        .file_work()
        .remove_dir("/rw/made/inner")
        .unwrap()
        .unwrap();
    f.plugin
        .file_work()
        .remove_dir("/rw/made")
        .unwrap()
        .unwrap();
    assert!(!exists(&f.host("made")));
    f.still_locked_down();
}

#[test]
fn listing_a_directory_names_every_entry() {
    let mut f = Folder::new("readdir");
    f.write("x.txt", "");
    f.write("y.txt", "");
    std::fs::create_dir(f.host("z")).unwrap();
    // Enough entries that reading the directory takes more than one batch.
    for i in 0..300 {
        f.write(&format!("many-{i:03}"), "");
    }
    let names = f.plugin.file_work().list_dir("/rw").unwrap().unwrap();
    assert_eq!(names.len(), 303, "{names:?}");
    assert_eq!(&names[300..], ["x.txt", "y.txt", "z"]);
    assert_eq!(names[0], "many-000");
    f.still_locked_down();
}

#[test]
fn removing_a_file_unlinks_it() {
    let mut f = Folder::new("unlink");
    f.write("gone.txt", "bye");
    f.plugin
        .file_work()
        .remove_file("/rw/gone.txt")
        .unwrap()
        .unwrap();
    assert!(!exists(&f.host("gone.txt")));
    f.still_locked_down();
}

#[test]
fn advice_on_how_a_file_is_read_is_taken() {
    let mut f = Folder::new("advise");
    f.write("big.txt", &"x".repeat(1 << 16));
    f.plugin.file_work().advise("/rw/big.txt").unwrap().unwrap();
    assert_eq!(f.read("big.txt").len(), 1 << 16);
    f.still_locked_down();
}
