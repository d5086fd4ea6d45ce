//! The `faults` stage: the app, served as production serves it, under
//! concurrent load while its PostgreSQL restarts (`docs/quality-gate.md`).
//!
//! The stage starts a PostgreSQL cluster of its own (restarting the one the
//! project's tests use would fail them), migrates a database on it, creates
//! an administrator, and serves the app with the stack's production target
//! ([`VerificationPlan::production_target`](stacks::VerificationPlan),
//! gunicorn for python-fastapi) with [`WORKERS`] workers of
//! [`POOL_SIZE`] pooled connections each. [`CLIENTS`] clients then create
//! rows (each `POST` with an `Idempotency-Key`) and list them without
//! pause; after a while the cluster is stopped the way an operator
//! restarts it (`pg_ctl stop -m fast`: every session is terminated), left
//! down for [`DOWN`], and started again. The contract's fault rules are
//! then checked on everything the clients saw:
//!
//! - `faults.no_server_error`: no status of 500 or above but 503;
//! - `faults.no_dropped_connection`: every request got a whole answer;
//! - `faults.retry_after`: every 503 carries `Retry-After` in whole seconds;
//! - `faults.outage_answered`: the outage was seen (some 503s), so the
//!   stage tested something;
//! - `faults.recovered`: requests are served again within [`RECOVERY`] of
//!   the server's return, without restarting the app;
//! - `faults.rows_kept`: every `201` is a row the API reads back, with its
//!   `create` event in `audit_events`;
//! - `faults.readiness`: `/readyz` (probed every 100 ms) answered 503
//!   while the database was down and 200 at the end;
//! - `faults.pool_ceiling`: the app never held more than workers ×
//!   `DB_POOL_SIZE` connections (sampled from `pg_stat_activity` every
//!   100 ms, under load before and after the restart; during the restart
//!   the backends of discarded connections may still be exiting).
//!
//! The stage's log excerpt carries the figures: the statuses seen, the
//! recovery time and the most connections held.

use crate::conformance::http::{Client, Session};
use crate::db::{random_hex, Database};
use crate::process::{free_port, make_command, run_logged, tail, Server};
use crate::report::{CheckResult, StageReport, StageStatus};
use crate::{GateError, Project};
use blueprint_core::spec::Action;
use model::{AppModel, EntityId, Scope};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Worker processes of the production server.
pub const WORKERS: u32 = 2;

/// `DB_POOL_SIZE` of each worker.
pub const POOL_SIZE: u32 = 3;

/// Concurrent clients.
pub const CLIENTS: usize = 4;

/// How long the server stays down between stop and start.
pub const DOWN: Duration = Duration::from_secs(1);

/// How long after the server's return requests must be served again.
pub const RECOVERY: Duration = Duration::from_secs(30);

/// Load before the restart, and after the recovery.
const STEADY: Duration = Duration::from_millis(1500);

/// What one request got.
#[derive(Debug, Clone)]
struct Seen {
    at: Instant,
    method: &'static str,
    /// The status, or `None` when no answer came.
    status: Option<u16>,
    retry_after: Option<String>,
    /// The created row's id (a 201), or what went wrong (no answer).
    note: String,
}

/// What the stage needs from the gate run.
pub(crate) struct FaultRun<'a> {
    pub project: &'a Project,
    pub plan: &'a stacks::VerificationPlan,
    /// The app's environment (keys, caches); the database, port and server
    /// settings are the stage's own.
    pub env: &'a [(String, String)],
    pub logs: &'a Path,
    pub stopped: &'a (dyn Fn() -> bool + Sync),
}

/// Runs the stage; a setup that fails (the cluster, migrations, the
/// server) fails the stage with the reason.
pub(crate) fn stage(run: &FaultRun<'_>) -> Result<StageReport, GateError> {
    let started = Instant::now();
    let database = match Database::create(None, false) {
        Ok(db) => db,
        Err(GateError::NoPostgres) => {
            return Ok(StageReport::skipped(
                "faults",
                "PostgreSQL's server programs are not installed here: the stage restarts a cluster of its own",
            ))
        }
        Err(e) => return Err(e),
    };
    let port = free_port()?;
    let mut env: Vec<(String, String)> = run
        .env
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "DATABASE_URL" | "PORT" | "HOST"))
        .cloned()
        .collect();
    env.extend([
        ("DATABASE_URL".to_string(), database.url().to_string()),
        ("PORT".to_string(), port.to_string()),
        ("HOST".to_string(), "127.0.0.1".to_string()),
        ("WEB_CONCURRENCY".to_string(), WORKERS.to_string()),
        ("DB_POOL_SIZE".to_string(), POOL_SIZE.to_string()),
    ]);
    let failed = |why: String| StageReport {
        name: "faults".into(),
        status: StageStatus::Failed,
        duration_ms: started.elapsed().as_millis() as u64,
        log_excerpt: why,
        checks: None,
        results: Vec::new(),
        details: Vec::new(),
        steps: Vec::new(),
    };

    if let Some(migrate) = run.plan.stages.iter().find(|s| s.name == "migrate") {
        let cmd = make_command(
            &run.project.dir,
            std::slice::from_ref(&migrate.make_target),
            &env,
        );
        let outcome = run_logged(
            cmd,
            &run.logs.join("faults-migrate.log"),
            Duration::from_secs(migrate.timeout_secs),
            run.stopped,
        )?;
        if !outcome.success {
            return Ok(failed(format!(
                "migrating the stage's database failed:\n{}",
                tail(&outcome.log, 10)
            )));
        }
    }
    let model = &run.project.model;
    let Some(admin_role) = model.roles.iter().position(|r| r.admin) else {
        return Ok(StageReport::skipped(
            "faults",
            "the spec has no admin role to drive the load as",
        ));
    };
    let email = format!("faults-{}@example.com", random_hex(4));
    let password = format!("faults passphrase {}", random_hex(8));
    if let Err(why) = crate::create_user(
        &run.project.dir,
        &run.plan.create_user,
        &env,
        run.logs,
        run.stopped,
        &email,
        &password,
        &model.roles[admin_role].name,
    ) {
        return Ok(failed(format!("creating the administrator failed: {why}")));
    }

    let target = run
        .plan
        .production_target
        .clone()
        .or_else(|| {
            run.plan
                .stages
                .iter()
                .find(|s| s.name == "run")
                .map(|s| s.make_target.clone())
        })
        .unwrap_or_else(|| "run".to_string());
    let log_path = run.logs.join("faults-serve.log");
    let cmd = make_command(&run.project.dir, std::slice::from_ref(&target), &env);
    let mut server = Server::spawn(cmd, &log_path)?;
    if !crate::wait_healthy(&mut server, port, Duration::from_secs(60), run.stopped)? {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        return Ok(failed(format!(
            "`make {target}` did not answer GET /healthz within 60 s:\n{}",
            tail(&log, 10)
        )));
    }

    let base = format!("http://127.0.0.1:{port}");
    let api = model.api.base_path.clone();
    let mut client = Client::new(&base);
    let mut session = Session::default();
    let login = client
        .send(
            &mut session,
            "POST",
            &format!("{api}/auth/login"),
            Some(&json!({"email": email, "password": password})),
            false,
            &[],
        )
        .map_err(|e| GateError::Database {
            what: "signing in for the fault stage".into(),
            output: e,
        });
    match login {
        Ok(r) if r.status == 200 => {}
        Ok(r) => return Ok(failed(format!("signing in failed: {}", r.brief()))),
        Err(e) => return Ok(failed(e.to_string())),
    }

    let target_entity = load_entity(model, model::RoleId(admin_role));
    let nonce = random_hex(4);
    let seen: Mutex<Vec<Seen>> = Mutex::new(Vec::new());
    let counts: Mutex<Vec<(Instant, u32)>> = Mutex::new(Vec::new());
    let probes: Mutex<Vec<(Instant, Option<u16>)>> = Mutex::new(Vec::new());
    let stop = AtomicBool::new(false);
    let mut timeline = Timeline::default();

    std::thread::scope(|scope| -> Result<(), GateError> {
        for worker in 0..CLIENTS {
            let session = session.clone();
            let (seen, stop, base, api, nonce) = (&seen, &stop, &base, &api, &nonce);
            scope.spawn(move || {
                load(
                    model,
                    target_entity,
                    worker,
                    base,
                    api,
                    nonce,
                    session,
                    seen,
                    stop,
                )
            });
        }
        let (probes, stop_probes, base_url) = (&probes, &stop, &base);
        scope.spawn(move || {
            let mut client = Client::new(base_url);
            let mut anonymous = Session::default();
            while !stop_probes.load(Ordering::SeqCst) {
                let at = Instant::now();
                let status = client
                    .send(&mut anonymous, "GET", "/readyz", None, false, &[])
                    .map(|r| r.status)
                    .ok();
                probes
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((at, status));
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let (counts, stop, database) = (&counts, &stop, &database);
        scope.spawn(move || {
            let sql = "SELECT count(*) FROM pg_stat_activity \
                       WHERE datname = current_database() AND application_name <> 'archgen-gate'";
            while !stop.load(Ordering::SeqCst) {
                let at = Instant::now();
                if let Ok(n) = database.query(sql).map(|t| t.parse::<u32>().unwrap_or(0)) {
                    counts
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((at, n));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let result = (|| {
            std::thread::sleep(STEADY);
            timeline.cut = Some(Instant::now());
            if let Some(cluster) = database.cluster() {
                cluster.restart(DOWN)?;
            }
            let back = Instant::now();
            timeline.back = Some(back);
            while Instant::now() < back + RECOVERY && !(run.stopped)() {
                std::thread::sleep(Duration::from_millis(100));
                let served = seen
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .iter()
                    .filter(|s| s.at > back && s.status.is_some_and(|c| (200..300).contains(&c)))
                    .map(|s| s.at)
                    .min();
                if let Some(at) = served {
                    timeline.recovered = Some(at);
                    break;
                }
            }
            std::thread::sleep(STEADY);
            Ok(())
        })();
        stop.store(true, Ordering::SeqCst);
        result
    })?;

    let seen = seen.into_inner().unwrap_or_else(|e| e.into_inner());
    let counts = counts.into_inner().unwrap_or_else(|e| e.into_inner());
    let peak = steady_peak(&counts, &timeline);
    let probes = probes.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut results = judge(&seen, &timeline, peak);
    results.push(readiness(&probes, &timeline));
    results.push(rows_kept(
        &mut client,
        &mut session,
        &database,
        target_entity.map(|e| model.get(e).collection.as_str()),
        &api,
        &seen,
    ));
    drop(server);
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for s in &seen {
        let key = s.status.map_or("no answer".to_string(), |c| c.to_string());
        *statuses.entry(key).or_default() += 1;
    }
    let recovery = match (timeline.back, timeline.recovered) {
        (Some(back), Some(at)) => format!("{:.2} s", at.duration_since(back).as_secs_f64()),
        _ => "never".to_string(),
    };
    let figures = format!(
        "`make {target}` with WEB_CONCURRENCY={WORKERS}, DB_POOL_SIZE={POOL_SIZE}, {CLIENTS} clients; \
         PostgreSQL stopped (fast) and started after {} s: statuses {statuses:?}; \
         served again {recovery} after the server was back; at most {peak} connections held outside the restart",
        DOWN.as_secs()
    );
    let failed_checks: Vec<String> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| format!("{}: {}", r.name, r.detail))
        .collect();
    let mut excerpt = figures;
    for line in &failed_checks {
        excerpt.push('\n');
        excerpt.push_str(line);
    }
    Ok(StageReport {
        name: "faults".into(),
        status: if failed_checks.is_empty() {
            StageStatus::Passed
        } else {
            StageStatus::Failed
        },
        duration_ms: started.elapsed().as_millis() as u64,
        log_excerpt: excerpt,
        checks: Some(results.len()),
        results,
        details: Vec::new(),
        steps: Vec::new(),
    })
}

/// When the restart began, when the server was back, and when a request
/// was served again.
#[derive(Debug, Default)]
struct Timeline {
    cut: Option<Instant>,
    back: Option<Instant>,
    recovered: Option<Instant>,
}

/// The entity the load creates: the first an admin may create that needs
/// no other row and whose unique values do not run out; `None` when there
/// is none (the load then only lists the first entity an admin may read).
fn load_entity(model: &AppModel, admin: model::RoleId) -> Option<EntityId> {
    let creatable = (0..model.entities.len()).map(EntityId).find(|&id| {
        let e = model.get(id);
        e.relations.iter().all(|r| !r.required)
            && e.row_limit().is_none()
            && e.access(Action::Create).scope(Some(admin)) != Scope::None
    });
    creatable.or_else(|| {
        (0..model.entities.len())
            .map(EntityId)
            .find(|&id| model.get(id).access(Action::Read).scope(Some(admin)) != Scope::None)
    })
}

/// A body for creating `entity`, every field from its sample (a workflow
/// field at its initial value).
fn body(model: &AppModel, entity: EntityId, n: u64, nonce: &str) -> Value {
    let mut body = Map::new();
    for field in &model.get(entity).fields {
        let value = match &field.workflow {
            Some(w) => json!(w.initial),
            None => field.sample.value(n, nonce),
        };
        body.insert(field.name.clone(), value);
    }
    Value::Object(body)
}

/// One client's loop: create (when the entity allows it) and list, until
/// told to stop.
#[allow(clippy::too_many_arguments)]
fn load(
    model: &AppModel,
    entity: Option<EntityId>,
    worker: usize,
    base: &str,
    api: &str,
    nonce: &str,
    mut session: Session,
    seen: &Mutex<Vec<Seen>>,
    stop: &AtomicBool,
) {
    let Some(entity) = entity else { return };
    let e = model.get(entity);
    let path = format!("{api}/{}", e.collection);
    let creates = e.relations.iter().all(|r| !r.required) && e.row_limit().is_none();
    let mut client = Client::new(base);
    let mut n = 0u64;
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        let mut requests: Vec<(&'static str, Option<Value>)> = Vec::new();
        if creates {
            let number = 10_000_000 + worker as u64 * 1_000_000 + n;
            requests.push(("POST", Some(body(model, entity, number, nonce))));
        }
        requests.push(("GET", None));
        for (method, sent) in requests {
            let at = Instant::now();
            let key = random_hex(16);
            let extra: Vec<(&str, &str)> = if sent.is_some() {
                vec![("Idempotency-Key", key.as_str())]
            } else {
                Vec::new()
            };
            let answer = client.send(&mut session, method, &path, sent.as_ref(), true, &extra);
            let record = match answer {
                Ok(r) => Seen {
                    at,
                    method,
                    status: Some(r.status),
                    retry_after: r.header("retry-after").map(str::to_string),
                    note: if r.status == 201 {
                        r.json()["id"].as_str().unwrap_or_default().to_string()
                    } else if r.status >= 500 && r.status != 503 {
                        r.brief()
                    } else {
                        String::new()
                    },
                },
                Err(e) => Seen {
                    at,
                    method,
                    status: None,
                    retry_after: None,
                    note: e,
                },
            };
            seen.lock().unwrap_or_else(|e| e.into_inner()).push(record);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The most sessions the app held outside the restart: from the cut to a
/// second after requests are served again, backends of connections the
/// pool has already discarded may still be exiting and show beside their
/// replacements, which the pool never held at once.
fn steady_peak(counts: &[(Instant, u32)], timeline: &Timeline) -> u32 {
    let churn = |at: Instant| match (timeline.cut, timeline.recovered.or(timeline.back)) {
        (Some(cut), Some(end)) => at >= cut && at <= end + Duration::from_secs(1),
        (Some(cut), None) => at >= cut,
        _ => false,
    };
    counts
        .iter()
        .filter(|(at, _)| !churn(*at))
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(0)
}

/// The checks on what the clients saw (all but `faults.rows_kept`).
fn judge(seen: &[Seen], timeline: &Timeline, peak: u32) -> Vec<CheckResult> {
    let check = |name: &str, problems: Vec<String>| CheckResult {
        name: name.to_string(),
        passed: problems.is_empty(),
        detail: problems.into_iter().take(5).collect::<Vec<_>>().join("; "),
    };
    let errors = seen
        .iter()
        .filter(|s| s.status.is_some_and(|c| c >= 500 && c != 503))
        .map(|s| {
            format!(
                "{} answered {}: {}",
                s.method,
                s.status.unwrap_or(0),
                s.note
            )
        })
        .collect();
    let dropped = seen
        .iter()
        .filter(|s| s.status.is_none())
        .map(|s| s.note.clone())
        .collect();
    let unavailable: Vec<&Seen> = seen.iter().filter(|s| s.status == Some(503)).collect();
    let retry_after = unavailable
        .iter()
        .filter(|s| {
            s.retry_after
                .as_deref()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .is_none_or(|n| n < 1)
        })
        .map(|s| {
            format!(
                "{} answered 503 with Retry-After {:?}",
                s.method, s.retry_after
            )
        })
        .collect();
    let noticed = match timeline.cut {
        Some(cut) if unavailable.iter().any(|s| s.at >= cut) => Vec::new(),
        _ => vec![format!(
            "no request was answered 503 while the database restarted ({} requests)",
            seen.len()
        )],
    };
    let recovered = match timeline.recovered {
        Some(_) => Vec::new(),
        None => vec![format!(
            "no request was served within {} s of the database's return",
            RECOVERY.as_secs()
        )],
    };
    let ceiling = WORKERS * POOL_SIZE;
    let pool = if peak > ceiling {
        vec![format!(
            "{peak} connections at once, above {WORKERS} workers × DB_POOL_SIZE {POOL_SIZE}"
        )]
    } else {
        Vec::new()
    };
    vec![
        check("faults.no_server_error", errors),
        check("faults.no_dropped_connection", dropped),
        check("faults.retry_after", retry_after),
        check("faults.outage_answered", noticed),
        check("faults.recovered", recovered),
        check("faults.pool_ceiling", pool),
    ]
}

/// `/readyz` said 503 while the database was away and 200 at the end,
/// without the app restarting.
fn readiness(probes: &[(Instant, Option<u16>)], timeline: &Timeline) -> CheckResult {
    let mut problems = Vec::new();
    if let (Some(cut), Some(back)) = (timeline.cut, timeline.back) {
        let during: Vec<Option<u16>> = probes
            .iter()
            .filter(|(at, _)| *at >= cut && *at <= back)
            .map(|(_, status)| *status)
            .collect();
        if !during.contains(&Some(503)) {
            problems.push(format!(
                "GET /readyz never answered 503 while the database was down ({:?})",
                during
            ));
        }
    }
    match probes.last() {
        Some((_, Some(200))) => {}
        Some((_, status)) => problems.push(format!(
            "GET /readyz answered {status:?} after the database had returned"
        )),
        None => problems.push("GET /readyz was never probed".to_string()),
    }
    if probes.iter().any(|(_, s)| s.is_none()) {
        problems.push("GET /readyz got no answer at least once".to_string());
    }
    CheckResult {
        name: "faults.readiness".into(),
        passed: problems.is_empty(),
        detail: problems.join("; "),
    }
}

/// Every created row reads back through the API and has its `create`
/// event in `audit_events`.
fn rows_kept(
    client: &mut Client,
    session: &mut Session,
    database: &Database,
    collection: Option<&str>,
    api: &str,
    seen: &[Seen],
) -> CheckResult {
    let created: Vec<&str> = seen
        .iter()
        .filter(|s| s.status == Some(201))
        .map(|s| s.note.as_str())
        .collect();
    let mut problems = Vec::new();
    if let Some(collection) = collection {
        for id in &created {
            match client.send(
                session,
                "GET",
                &format!("{api}/{collection}/{id}"),
                None,
                false,
                &[],
            ) {
                Ok(r) if r.status == 200 => {}
                Ok(r) => problems.push(format!("created row {id} reads {}", r.brief())),
                Err(e) => problems.push(e),
            }
        }
    }
    if !created.is_empty() && created.iter().all(|id| is_uuid(id)) {
        let ids = created
            .iter()
            .map(|id| format!("'{id}'"))
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "SELECT count(DISTINCT entity_id) FROM audit_events \
             WHERE action = 'create' AND entity_id::text IN ({ids})"
        );
        match database.query(&sql) {
            Ok(n) if n == created.len().to_string() => {}
            Ok(n) => problems.push(format!(
                "{} rows were created but {n} have their create event",
                created.len()
            )),
            Err(e) => problems.push(format!("reading audit_events failed: {e}")),
        }
    } else if !created.is_empty() {
        problems.push("a 201 answer carried no row id".to_string());
    }
    CheckResult {
        name: "faults.rows_kept".into(),
        passed: problems.is_empty(),
        detail: if problems.is_empty() {
            format!(
                "{} rows created during the restart, each read back and audited",
                created.len()
            )
        } else {
            problems.into_iter().take(5).collect::<Vec<_>>().join("; ")
        },
    }
}

/// Whether a text is a UUID (so it can go into SQL as a literal).
fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(status: Option<u16>, retry_after: Option<&str>) -> Seen {
        Seen {
            at: Instant::now(),
            method: "GET",
            status,
            retry_after: retry_after.map(str::to_string),
            note: String::new(),
        }
    }

    fn failed(results: &[CheckResult]) -> Vec<&str> {
        results
            .iter()
            .filter(|r| !r.passed)
            .map(|r| r.name.as_str())
            .collect()
    }

    #[test]
    fn a_clean_restart_passes_every_check() {
        let cut = Instant::now();
        let mut all = vec![seen(Some(200), None), seen(Some(503), Some("1"))];
        all.push(seen(Some(201), None));
        let timeline = Timeline {
            cut: Some(cut),
            back: Some(cut),
            recovered: Some(Instant::now()),
        };
        assert!(failed(&judge(&all, &timeline, WORKERS * POOL_SIZE)).is_empty());
    }

    #[test]
    fn a_500_a_drop_a_bare_503_and_a_big_pool_each_fail_their_check() {
        let cut = Instant::now();
        let all = vec![
            seen(Some(500), None),
            seen(None, None),
            seen(Some(503), None),
        ];
        let timeline = Timeline {
            cut: Some(cut),
            back: Some(cut),
            recovered: None,
        };
        assert_eq!(
            failed(&judge(&all, &timeline, WORKERS * POOL_SIZE + 1)),
            [
                "faults.no_server_error",
                "faults.no_dropped_connection",
                "faults.retry_after",
                "faults.recovered",
                "faults.pool_ceiling"
            ]
        );
    }

    #[test]
    fn an_outage_nobody_saw_fails() {
        let timeline = Timeline {
            cut: Some(Instant::now()),
            back: None,
            recovered: Some(Instant::now()),
        };
        assert_eq!(
            failed(&judge(&[seen(Some(200), None)], &timeline, 1)),
            ["faults.outage_answered"]
        );
    }

    #[test]
    fn uuids_are_told_from_other_text() {
        assert!(is_uuid("0df20607-58eb-4a84-baf1-f0502801883f"));
        assert!(!is_uuid("0df20607-58eb-4a84-baf1-f0502801883'"));
        assert!(!is_uuid("1"));
    }
}
