//! `archgen preview` end to end: started on a copy of the tasks example,
//! it prints its URLs and accounts; an account signs in and lists its
//! seeded rows; an optional field added to the spec shows in the served
//! OpenAPI document after the restart, with the rows kept; SIGINT stops
//! the app and the PostgreSQL cluster, leaving no process behind.
//!
//! Slow: runs only with `ARCHGEN_SLOW_TESTS=1` (`scripts/test` sets it).
//! The spec copy lives at a fixed place under `target/`, so a second run
//! reuses the preview directory and its installed `.venv` (warm: well
//! under two minutes).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Kills the preview if the test fails midway.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = Command::new("kill")
                .args(["-INT", &self.0.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline && matches!(self.0.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Waits for a stdout line starting with `prefix` (after trimming),
/// returning it and every line before it.
fn wait_for(lines: &Receiver<String>, prefix: &str, timeout: Duration, log: &Path) -> Vec<String> {
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                let done = line.trim_start().starts_with(prefix);
                seen.push(line);
                if done {
                    return seen;
                }
            }
            Err(_) => panic!(
                "no line `{prefix}…` within {timeout:?}; stdout so far: {seen:#?}\nstderr:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            ),
        }
    }
}

fn field<'a>(lines: &'a [String], label: &str) -> &'a str {
    lines
        .iter()
        .find_map(|l| l.trim_start().strip_prefix(label))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no `{label}` line in {lines:#?}"))
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

/// Signs in and returns the `Cookie` header of the session.
fn sign_in(api: &str, email: &str, password: &str) -> String {
    let body = format!("{{\"email\":\"{email}\",\"password\":\"{password}\"}}");
    let response = agent()
        .post(format!("{api}/api/auth/login"))
        .header("Content-Type", "application/json")
        .send(body.as_bytes())
        .expect("login answers");
    assert!(
        response.status().as_u16() < 300,
        "login as {email}: {}",
        response.status()
    );
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The ids of the tasks an account lists.
fn task_ids(api: &str, cookie: &str) -> Vec<String> {
    let mut response = agent()
        .get(format!("{api}/api/tasks?limit=100"))
        .header("Cookie", cookie)
        .call()
        .expect("the list answers");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    assert_eq!(status, 200, "{text}");
    let value: serde_json::Value = serde_json::from_str(&text).expect("json");
    let items = value
        .get("items")
        .or(Some(&value))
        .and_then(|v| v.as_array())
        .unwrap_or_else(|| panic!("no list in {text}"));
    items
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_string))
        .collect()
}

/// The ids of a process's descendants, read from `/proc`.
fn descendants(pid: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(id) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`: comm may hold spaces.
        let after = stat.rsplit_once(')').map(|(_, a)| a).unwrap_or("");
        if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            parents.push((id, ppid));
        }
    }
    let mut out = vec![pid];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    out.remove(0);
    out
}

/// Whether a process is alive (a zombie counts as gone).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            let state = s
                .rsplit_once(')')
                .map(|(_, a)| a.trim_start())
                .unwrap_or("");
            !state.starts_with('Z')
        })
        .unwrap_or(false)
}

/// The PostgreSQL server processes listening on `port`.
fn postgres_on(port: &str) -> Vec<u32> {
    let flag = format!("-p\0{port}\0");
    std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|e| {
            let id = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let cmd = std::fs::read(e.path().join("cmdline")).ok()?;
            let cmd = String::from_utf8_lossy(&cmd).into_owned();
            (cmd.contains("postgres") && cmd.contains(&flag)).then_some(id)
        })
        .collect()
}

#[test]
fn preview_starts_follows_an_edit_and_stops_everything() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let work = root().join("target/preview-e2e");
    std::fs::create_dir_all(&work).expect("mkdir");
    let spec = work.join("tasks.yaml");
    let original = std::fs::read_to_string(root().join("examples/specs/tasks.yaml")).expect("spec");
    std::fs::write(&spec, &original).expect("copy the spec");
    let log = work.join("stderr.log");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_archgen"))
        .arg("preview")
        .arg(&spec)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("archgen runs");
    let stdout = child.stdout.take().expect("stdout");
    let pid = child.id();
    let mut guard = Guard(child);
    let (send, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });

    let banner = wait_for(&lines, "Watching", Duration::from_secs(600), &log);
    eprintln!(
        "preview ready after {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let api = field(&banner, "API").to_string();
    assert!(api.starts_with("http://127.0.0.1:"), "{api}");
    assert!(field(&banner, "Swagger UI").ends_with("/docs"));
    let site = field(&banner, "Architecture").to_string();
    let database = field(&banner, "Database").to_string();
    let pg_port = database
        .rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next())
        .expect("the database URL has a port")
        .to_string();
    let account = banner
        .iter()
        .find_map(|l| l.trim_start().strip_prefix("account member "))
        .expect("an account of the member role");
    let (email, password) = account.split_once(' ').expect("email and password");

    // The docs site draws the ArchiMate views.
    let page = agent()
        .get(&site)
        .call()
        .expect("the site answers")
        .body_mut()
        .read_to_string()
        .expect("html");
    assert!(page.contains("<svg"), "no view drawn: {page:.300}");

    // The app serves the admin app's fresh build, same origin as the API.
    let admin = field(&banner, "Admin app").to_string();
    assert_eq!(admin, format!("{api}/admin/"));
    let page = agent()
        .get(&admin)
        .call()
        .expect("the admin app answers")
        .body_mut()
        .read_to_string()
        .expect("html");
    assert!(
        page.contains("/admin/assets/"),
        "not the app's build: {page:.300}"
    );

    let cookie = sign_in(&api, email, password);
    let before = task_ids(&api, &cookie);
    assert!(!before.is_empty(), "the member's seeded tasks are listed");

    // An optional field added to Task.
    let edited = original.replacen(
        "      due_on: date\n",
        "      due_on: date\n      estimate: { type: integer, min: 0, max: 100 }\n",
        1,
    );
    assert_ne!(edited, original, "the example spec changed shape");
    let saved = Instant::now();
    std::fs::write(&spec, edited).expect("save the spec");
    let reloaded = wait_for(&lines, "reloaded in", Duration::from_secs(120), &log);
    eprintln!(
        "edit picked up after {:.1} s",
        saved.elapsed().as_secs_f64()
    );
    assert!(
        !reloaded
            .last()
            .is_some_and(|l| l.contains("database reset")),
        "{reloaded:?}"
    );
    let document = agent()
        .get(format!("{api}/openapi.json"))
        .call()
        .expect("the document is served")
        .body_mut()
        .read_to_string()
        .expect("text");
    assert!(
        document.contains("\"estimate\""),
        "the new field is in the API"
    );
    let cookie = sign_in(&api, email, password);
    assert_eq!(task_ids(&api, &cookie), before, "the rows were kept");

    // Everything the preview started, before it is stopped.
    let children = descendants(pid);
    assert!(!children.is_empty(), "the app runs as a child");
    assert!(!postgres_on(&pg_port).is_empty(), "the cluster runs");
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let exit = loop {
        if let Some(exit) = guard.0.try_wait().expect("wait") {
            break exit;
        }
        assert!(Instant::now() < deadline, "preview did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(exit.success(), "exit status {exit:?}");
    let port = api.rsplit(':').next().expect("port");
    assert!(
        std::net::TcpStream::connect(format!("127.0.0.1:{port}")).is_err(),
        "the app's port is closed"
    );
    let left: Vec<u32> = children.into_iter().filter(|p| alive(*p)).collect();
    assert!(left.is_empty(), "processes left: {left:?}");
    assert!(postgres_on(&pg_port).is_empty(), "the cluster was stopped");
    eprintln!("whole run {:.1} s", started.elapsed().as_secs_f64());
}
