//! `clients/admin/`: the admin web app of the generated API, a React +
//! Vite + TypeScript project made from the same application model as the
//! backend, with browser tests (Playwright) the gate's `admin` stage runs.
//!
//! The screens are the same for every project (`src/*.tsx`); what differs
//! is one generated table, `src/model.ts`: each entity's list path,
//! fields with their input kinds and field rules, to-one relations, the
//! access decisions per action and role, and workflow moves per role. The
//! app shows what that table allows the signed-in role and hides the
//! rest; the API still decides. It talks to the API the way the typed
//! client does (cookie session, `X-CSRF-Token` from the `csrf_token`
//! cookie, RFC 9457 problems with field errors), same origin: the backend
//! serves the built app at `/admin/`, and Vite's dev server proxies the
//! API. `e2e/plan.ts` is the browser tests' plan, also from the model.
//! `npm run lint` checks the app with ESLint (typed, strict rules and the
//! React hooks rules) and Prettier; the two generated tables are JSON
//! and left out of Prettier's check.

pub(crate) mod view;

use stacks::Template;

use crate::{DocInput, DocumentEmitter, FileTree, RenderError, Templates};

/// Where the admin app lives in a generated project.
pub const ADMIN_DIR: &str = "clients/admin";

/// The Vite release the app pins.
pub const VITE_VERSION: &str = "7.3.8";

/// The React release the app pins.
pub const REACT_VERSION: &str = "19.2.0";

/// The Playwright release the browser tests pin.
pub const PLAYWRIGHT_VERSION: &str = "1.65.1";

/// The less privileged role whose account the browser tests sign in as
/// to see an action not offered (an entity it may list but not create,
/// while an admin may), when the model has one.
///
/// ```
/// let spec = blueprint_core::builder::SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
/// let engine = render::Engine::with_builtins();
/// let (blueprint, _) = engine.complete(&spec).unwrap();
/// let model = engine.app_model(&blueprint, &spec.stack).unwrap();
/// let _role = render::docs::admin_app::less_privileged_role(&model);
/// ```
pub fn less_privileged_role(model: &model::AppModel) -> Option<&model::Role> {
    view::forbidden_case(model).map(|(role, _)| role)
}

/// Files copied as they are.
const STATIC: [(&str, &str); 22] = [
    (
        "src/styles.css",
        include_str!("../../../templates/admin-app/src/styles.css"),
    ),
    (
        ".gitignore",
        include_str!("../../../templates/admin-app/gitignore"),
    ),
    (
        "tsconfig.json",
        include_str!("../../../templates/admin-app/tsconfig.json"),
    ),
    (
        "eslint.config.js",
        include_str!("../../../templates/admin-app/eslint.config.js"),
    ),
    (
        ".prettierrc.json",
        include_str!("../../../templates/admin-app/prettierrc.json"),
    ),
    (
        ".prettierignore",
        include_str!("../../../templates/admin-app/prettierignore"),
    ),
    (
        "vite.config.ts",
        include_str!("../../../templates/admin-app/vite.config.ts"),
    ),
    (
        "playwright.config.ts",
        include_str!("../../../templates/admin-app/playwright.config.ts"),
    ),
    (
        "src/main.tsx",
        include_str!("../../../templates/admin-app/src/main.tsx"),
    ),
    (
        "src/api.ts",
        include_str!("../../../templates/admin-app/src/api.ts"),
    ),
    (
        "src/access.ts",
        include_str!("../../../templates/admin-app/src/access.ts"),
    ),
    (
        "src/route.ts",
        include_str!("../../../templates/admin-app/src/route.ts"),
    ),
    (
        "src/App.tsx",
        include_str!("../../../templates/admin-app/src/App.tsx"),
    ),
    (
        "src/SignIn.tsx",
        include_str!("../../../templates/admin-app/src/SignIn.tsx"),
    ),
    (
        "src/EntityList.tsx",
        include_str!("../../../templates/admin-app/src/EntityList.tsx"),
    ),
    (
        "src/EntityDetail.tsx",
        include_str!("../../../templates/admin-app/src/EntityDetail.tsx"),
    ),
    (
        "src/EntityForm.tsx",
        include_str!("../../../templates/admin-app/src/EntityForm.tsx"),
    ),
    (
        "src/Account.tsx",
        include_str!("../../../templates/admin-app/src/Account.tsx"),
    ),
    (
        "src/AdminLists.tsx",
        include_str!("../../../templates/admin-app/src/AdminLists.tsx"),
    ),
    (
        "src/paging.tsx",
        include_str!("../../../templates/admin-app/src/paging.tsx"),
    ),
    (
        "src/options.ts",
        include_str!("../../../templates/admin-app/src/options.ts"),
    ),
    (
        "e2e/admin.spec.ts",
        include_str!("../../../templates/admin-app/e2e/admin.spec.ts"),
    ),
];

/// The lock file, filled with the package names ([`super::lockfile`]).
const LOCK: &str = include_str!("../../../templates/admin-app/package-lock.json.in");

/// Files rendered from the view model.
const TEMPLATED: [(&str, &str); 5] = [
    (
        "package.json",
        include_str!("../../../templates/admin-app/package.json.hbs"),
    ),
    (
        "README.md",
        include_str!("../../../templates/admin-app/README.md.hbs"),
    ),
    (
        "index.html",
        include_str!("../../../templates/admin-app/index.html.hbs"),
    ),
    (
        "src/model.ts",
        include_str!("../../../templates/admin-app/src/model.ts.hbs"),
    ),
    (
        "e2e/plan.ts",
        include_str!("../../../templates/admin-app/e2e/plan.ts.hbs"),
    ),
];

/// Emits `clients/admin/` beside a generated backend (nothing when only
/// the documents are rendered).
#[derive(Debug, Clone, Copy, Default)]
pub struct AdminAppEmitter;

impl DocumentEmitter for AdminAppEmitter {
    fn id(&self) -> &'static str {
        "admin-app"
    }

    fn emit(&self, input: &DocInput<'_>, out: &mut FileTree) -> Result<(), RenderError> {
        if !input.backend {
            return Ok(());
        }
        let admin = view::admin_view(input.model);
        let lock = super::lockfile::fill(self.id(), LOCK, &[("package", &admin.package)])?;
        out.insert(format!("{ADMIN_DIR}/package-lock.json"), lock)?;
        let view = serde_json::to_value(admin).map_err(|e| RenderError::Emitter {
            emitter: self.id().to_string(),
            message: e.to_string(),
        })?;
        let mut templates = Templates::new();
        for (path, source) in TEMPLATED {
            templates.register(&Template::embedded(path, source))?;
        }
        for (path, source) in STATIC {
            out.insert(format!("{ADMIN_DIR}/{path}"), source.to_string())?;
        }
        for (path, _) in TEMPLATED {
            let text = templates.render(path, &view)?;
            out.insert(format!("{ADMIN_DIR}/{path}"), text)?;
        }
        Ok(())
    }
}
