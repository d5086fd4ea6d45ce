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

/// Field rules and workflows say in `x-archgen-*` keys and descriptions
/// what JSON Schema cannot; rows owned through a relation have a derived,
/// read-only `owner_id`, absent from request bodies.
#[test]
fn field_rules_and_workflows_are_described() {
    let doc = document("loan-desk");
    let schemas = &doc["components"]["schemas"];
    let rate = &schemas["LoanCreate"]["properties"]["rate"];
    assert_eq!(rate["x-archgen-write"], serde_json::json!(["underwriter"]));
    assert_eq!(
        rate["x-archgen-read"],
        serde_json::json!(["owner", "underwriter"])
    );
    assert!(rate["description"].as_str().unwrap().contains("403"));
    // A key some callers may not read is not required in items.
    let required = schemas["Loan"]["required"].as_array().unwrap();
    assert!(!required.contains(&serde_json::json!("rate")));
    assert!(required.contains(&serde_json::json!("amount")));

    let workflow = &schemas["Loan"]["properties"]["status"]["x-archgen-workflow"];
    assert_eq!(workflow["initial"], "draft");
    assert_eq!(
        workflow["frozen"],
        serde_json::json!(["approved", "declined", "withdrawn"])
    );
    let approve = workflow["moves"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["from"] == "submitted" && m["to"] == "approved")
        .expect("the approve move");
    assert_eq!(approve["who"], serde_json::json!(["underwriter"]));

    // owner_id: read-only in items, absent from request bodies of rows
    // owned through a relation, still settable by admins on direct ones.
    assert_eq!(schemas["Loan"]["properties"]["owner_id"]["readOnly"], true);
    assert!(schemas["LoanCreate"]["properties"]["owner_id"].is_null());
    assert!(schemas["RepaymentCreate"]["properties"]["owner_id"].is_null());
    assert!(schemas["BorrowerCreate"]["properties"]["owner_id"].is_object());

    let responses = |path: &str, method: &str| doc["paths"][path][method]["responses"].clone();
    let patch = responses("/api/loans/{id}", "patch");
    assert!(patch["409"]["description"]
        .as_str()
        .unwrap()
        .contains("frozen"));
    assert!(patch["403"]["description"]
        .as_str()
        .unwrap()
        .contains("workflow move"));
    let post = responses("/api/loans", "post");
    assert!(post["403"]["description"]
        .as_str()
        .unwrap()
        .contains("`rate`"));
    assert!(post["422"]["description"]
        .as_str()
        .unwrap()
        .contains("initial value"));
    // Without rules, the shared answers stand.
    let tasks = document("tasks");
    assert_eq!(
        tasks["paths"]["/api/tasks/{id}"]["patch"]["responses"]["409"]["$ref"],
        "#/components/responses/Conflict"
    );
    // Filtering on a field some callers may not read says so.
    let filters = doc["paths"]["/api/borrowers"]["get"]["parameters"].clone();
    if let Some(p) = filters
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "credit_score")
    {
        assert!(p["description"].as_str().unwrap().contains("422"));
    }
}
