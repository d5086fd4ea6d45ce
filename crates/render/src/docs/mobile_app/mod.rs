//! `clients/mobile/`: the mobile app of the generated API, an Expo (React
//! Native, TypeScript) project made from the same application model as
//! the backend, for iOS, Android and the web.
//!
//! It signs in and shows the caller's own rows of each entity kept per
//! account (list, detail, create, edit), through the project's typed
//! client (`clients/ts`, a `file:` dependency): the client's session and
//! CSRF layer, its typed sign-in and current-account routes, `ApiError`
//! with field errors. The screens are the same for every project; what
//! differs is the table the admin app reads too (`src/model.ts`, the same
//! template and view) and the browser tests' plan (`e2e/plan.ts`, the same
//! shape, with the entities kept per account and unique values of its
//! own). `npm run lint` holds every file to ESLint (typed strict and
//! stylistic rules, the React hooks rules) and Prettier; the generated
//! tables are left out of Prettier only. The gate's `mobile` stage
//! type-checks it, runs its jest-expo tests, exports the web build and
//! drives it in Chromium against the running backend.

use serde::Serialize;
use stacks::Template;

use crate::docs::admin_app::view::{admin_view, plan, pretty, AdminView, Surface};
use crate::docs::client_ts::view::package_name;
use crate::{DocInput, DocumentEmitter, FileTree, RenderError, Templates};

/// Where the mobile app lives in a generated project.
pub const MOBILE_DIR: &str = "clients/mobile";

/// The Expo SDK release the app pins.
pub const EXPO_VERSION: &str = "56.0.23";

/// The React Native release the app pins (the one Expo SDK 56 wants).
pub const REACT_NATIVE_VERSION: &str = "0.85.3";

/// What the mobile app's templates print: the admin app's view (the
/// entity table and a plan), its own package name and the client's.
#[derive(Debug, Serialize)]
struct MobileView {
    #[serde(flatten)]
    screens: AdminView,
    /// The typed client's npm package, which the app depends on.
    client_package: String,
}

/// Files copied as they are.
const STATIC: [(&str, &str); 23] = [
    (
        ".gitignore",
        include_str!("../../../templates/mobile-app/gitignore"),
    ),
    (
        ".prettierrc.json",
        include_str!("../../../templates/mobile-app/prettierrc.json"),
    ),
    (
        ".prettierignore",
        include_str!("../../../templates/mobile-app/prettierignore"),
    ),
    (
        "eslint.config.mjs",
        include_str!("../../../templates/mobile-app/eslint.config.mjs"),
    ),
    (
        "tsconfig.json",
        include_str!("../../../templates/mobile-app/tsconfig.json"),
    ),
    (
        "index.ts",
        include_str!("../../../templates/mobile-app/index.ts"),
    ),
    (
        "metro.config.js",
        include_str!("../../../templates/mobile-app/metro.config.js"),
    ),
    (
        "App.tsx",
        include_str!("../../../templates/mobile-app/App.tsx"),
    ),
    (
        "playwright.config.ts",
        include_str!("../../../templates/mobile-app/playwright.config.ts"),
    ),
    (
        "src/access.ts",
        include_str!("../../../templates/admin-app/src/access.ts"),
    ),
    (
        "src/ui.tsx",
        include_str!("../../../templates/mobile-app/src/ui.tsx"),
    ),
    (
        "src/values.ts",
        include_str!("../../../templates/mobile-app/src/values.ts"),
    ),
    (
        "src/exact.ts",
        include_str!("../../../templates/mobile-app/src/exact.ts"),
    ),
    (
        "src/screens/SignIn.tsx",
        include_str!("../../../templates/mobile-app/src/screens/SignIn.tsx"),
    ),
    (
        "src/screens/Home.tsx",
        include_str!("../../../templates/mobile-app/src/screens/Home.tsx"),
    ),
    (
        "src/screens/EntityList.tsx",
        include_str!("../../../templates/mobile-app/src/screens/EntityList.tsx"),
    ),
    (
        "src/screens/EntityDetail.tsx",
        include_str!("../../../templates/mobile-app/src/screens/EntityDetail.tsx"),
    ),
    (
        "src/screens/EntityForm.tsx",
        include_str!("../../../templates/mobile-app/src/screens/EntityForm.tsx"),
    ),
    (
        "__tests__/app.test.tsx",
        include_str!("../../../templates/mobile-app/__tests__/app.test.tsx"),
    ),
    (
        "__tests__/exact.test.ts",
        include_str!("../../../templates/mobile-app/__tests__/exact.test.ts"),
    ),
    (
        "__tests__/access.test.ts",
        include_str!("../../../templates/mobile-app/__tests__/access.test.ts"),
    ),
    (
        "e2e/serve.mjs",
        include_str!("../../../templates/mobile-app/e2e/serve.mjs"),
    ),
    (
        "e2e/mobile.spec.ts",
        include_str!("../../../templates/mobile-app/e2e/mobile.spec.ts"),
    ),
];

/// The lock file, filled with the package names ([`super::lockfile`]).
const LOCK: &str = include_str!("../../../templates/mobile-app/package-lock.json.in");

/// Files rendered from the view model.
const TEMPLATED: [(&str, &str); 6] = [
    (
        "package.json",
        include_str!("../../../templates/mobile-app/package.json.hbs"),
    ),
    (
        "app.json",
        include_str!("../../../templates/mobile-app/app.json.hbs"),
    ),
    (
        "README.md",
        include_str!("../../../templates/mobile-app/README.md.hbs"),
    ),
    (
        "src/api.ts",
        include_str!("../../../templates/mobile-app/src/api.ts.hbs"),
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

/// Emits `clients/mobile/` beside a generated backend (nothing when only
/// the documents are rendered).
#[derive(Debug, Clone, Copy, Default)]
pub struct MobileAppEmitter;

impl DocumentEmitter for MobileAppEmitter {
    fn id(&self) -> &'static str {
        "mobile-app"
    }

    fn emit(&self, input: &DocInput<'_>, out: &mut FileTree) -> Result<(), RenderError> {
        if !input.backend {
            return Ok(());
        }
        let mut screens = admin_view(input.model);
        screens.package = format!("{}-mobile", input.model.product.name);
        screens.plan = pretty(&plan(input.model, Surface::Mobile));
        let client_package = package_name(input.model);
        let lock = super::lockfile::fill(
            self.id(),
            LOCK,
            &[
                ("package", &screens.package),
                ("client_package", &client_package),
            ],
        )?;
        out.insert(format!("{MOBILE_DIR}/package-lock.json"), lock)?;
        let view = MobileView {
            screens,
            client_package,
        };
        let view = serde_json::to_value(view).map_err(|e| RenderError::Emitter {
            emitter: self.id().to_string(),
            message: e.to_string(),
        })?;
        let mut templates = Templates::new();
        for (path, source) in TEMPLATED {
            templates.register(&Template::embedded(path, source))?;
        }
        for (path, source) in STATIC {
            out.insert(format!("{MOBILE_DIR}/{path}"), source.to_string())?;
        }
        for (path, _) in TEMPLATED {
            let text = templates.render(path, &view)?;
            out.insert(format!("{MOBILE_DIR}/{path}"), text)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{STATIC, TEMPLATED};

    fn source(path: &str) -> &'static str {
        STATIC
            .iter()
            .chain(TEMPLATED.iter())
            .find(|(p, _)| *p == path)
            .map(|(_, s)| *s)
            .unwrap_or_else(|| panic!("{path} is emitted"))
    }

    #[test]
    fn the_app_comes_with_its_lint_and_format_checks() {
        let package = source("package.json");
        assert!(package.contains(r#""lint": "eslint . && prettier --check .""#));
        assert!(package.contains(r#""format": "prettier --write . && eslint --fix .""#));
        assert!(source("eslint.config.mjs").contains("projectService: true"));
        assert_eq!(
            source(".prettierrc.json").trim(),
            r#"{ "printWidth": 120 }"#
        );
        // Prettier leaves out what the generator prints as JSON, and npm's lock.
        let ignored: Vec<&str> = source(".prettierignore").lines().collect();
        for path in ["package-lock.json", "src/model.ts", "e2e/plan.ts", "dist/"] {
            assert!(ignored.contains(&path), "{path} in .prettierignore");
        }
    }
}
