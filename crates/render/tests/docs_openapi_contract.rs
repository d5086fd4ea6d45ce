//! The OpenAPI document says what the backend contract says: the routes,
//! who needs a session and a CSRF header, what lists may sort and filter
//! on, and the JSON names of relations.

mod common;

use render::docs::openapi::OPENAPI_PATH;
use serde_json::Value;

fn document(example: &str) -> Value {
    let (_, _, tree) = common::render(example);
    serde_json::from_str(tree.get_str(OPENAPI_PATH).expect("the document")).expect("JSON")
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn every_route_of_the_contract_is_there() {
    let doc = document("tasks");
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/auth/register", "post"),
        ("/api/auth/login", "post"),
        ("/api/auth/logout", "post"),
        ("/api/auth/me", "get"),
        ("/api/tasks", "get"),
        ("/api/tasks", "post"),
        ("/api/tasks/{id}", "get"),
        ("/api/tasks/{id}", "patch"),
        ("/api/tasks/{id}", "delete"),
        ("/api/me/export", "get"),
        ("/api/me", "delete"),
        ("/api/admin/audit-events", "get"),
        ("/api/admin/users", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/openapi.json", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path}");
    }
    assert_eq!(doc["openapi"], "3.1.0");
}

#[test]
fn sessions_and_csrf_apply_as_the_contract_says() {
    let doc = document("tasks");
    let op = |path: &str, method: &str| doc["paths"][path][method]["security"].clone();
    assert_eq!(op("/api/auth/register", "post"), serde_json::json!([]));
    assert_eq!(op("/api/auth/login", "post"), serde_json::json!([]));
    assert_eq!(
        op("/api/tasks", "get"),
        serde_json::json!([{ "session": [] }])
    );
    for (path, method) in [
        ("/api/tasks", "post"),
        ("/api/tasks/{id}", "patch"),
        ("/api/tasks/{id}", "delete"),
        ("/api/me", "delete"),
    ] {
        assert_eq!(
            op(path, method),
            serde_json::json!([{ "session": [], "csrf": [] }]),
            "{method} {path}"
        );
    }
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["csrf"]["name"], "X-CSRF-Token");
    let problem = &doc["components"]["responses"]["ValidationFailed"]["content"];
    assert!(problem["application/problem+json"].is_object());
}

#[test]
fn sensitive_fields_are_neither_filters_nor_sorts() {
    let doc = document("clinic");
    let list = &doc["paths"]["/api/patients"]["get"]["parameters"];
    let params = names(list);
    assert!(params.contains(&"full_name".to_string()));
    assert!(!params.contains(&"insurance_number".to_string()));
    let sort = list
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "sort")
        .expect("a sort parameter");
    let sorts = sort["schema"]["enum"].as_array().expect("sort values");
    assert!(sorts.contains(&Value::from("-full_name")));
    assert!(!sorts
        .iter()
        .any(|s| s.as_str().is_some_and(|s| s.contains("insurance_number"))));
    // An inferred sensitive field too.
    let notes = names(&doc["paths"]["/api/visit_notes"]["get"]["parameters"]);
    assert!(!notes.contains(&"diagnosis_code".to_string()));
    assert!(notes.contains(&"appointment_id".to_string()));
}

#[test]
fn relations_and_owners_have_the_contract_names() {
    let doc = document("tasks");
    let schemas = &doc["components"]["schemas"];
    let create = &schemas["TaskCreate"];
    assert_eq!(create["additionalProperties"], false);
    assert_eq!(create["properties"]["project_id"]["format"], "uuid");
    assert_eq!(create["properties"]["label_ids"]["type"], "array");
    assert!(create["required"]
        .as_array()
        .is_some_and(|r| r.contains(&Value::from("project_id"))));
    assert_eq!(schemas["Task"]["properties"]["owner_id"]["readOnly"], true);
    assert!(schemas["TaskUpdate"]["properties"]["owner_id"].is_null());
    assert!(schemas["Label"]["properties"]["owner_id"].is_null());
    let estimate = &schemas["Task"]["properties"]["estimate_hours"];
    assert_eq!(estimate["pattern"], "^-?[0-9]{1,4}(\\.[0-9]{1,2})?$");
    let page = &schemas["TaskPage"]["required"];
    assert_eq!(page, &serde_json::json!(["items", "next_cursor"]));
}
