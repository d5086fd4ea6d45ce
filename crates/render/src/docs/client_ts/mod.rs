//! `clients/ts/`: the typed TypeScript client of the generated API, an npm
//! package made from the same application model as the backend.
//!
//! The types come from the project's own `docs/openapi.json`: the
//! package's `generate` script runs openapi-typescript (pinned, with the
//! committed `package-lock.json`) into `src/schema.ts` on every build, and
//! openapi-fetch is the runtime. archgen does not emit `src/schema.ts`
//! itself: the generator's output is the generator's business (it would
//! pin a second program's formatting in archgen's golden trees), and it is
//! deterministic given the document and the locked version. archgen emits
//! what OpenAPI cannot say, from the model: the session and CSRF layer
//! (`src/client.ts`, the same for every project), each entity's types, list
//! iterator, access table, field rules and workflow moves as types
//! (`src/model.ts`), and tests that run against a running backend
//! (`test/`). The emitter is stack-independent: it reads the model and the
//! routes the OpenAPI document is made from.

mod exercise;
pub(crate) mod view;

use stacks::Template;

use crate::{DocInput, DocumentEmitter, FileTree, RenderError, Templates};

/// Where the client lives in a generated project.
pub const CLIENT_DIR: &str = "clients/ts";

/// The openapi-typescript release the package pins.
pub const OPENAPI_TYPESCRIPT_VERSION: &str = "7.13.0";

/// The openapi-fetch release the package pins.
pub const OPENAPI_FETCH_VERSION: &str = "0.17.0";

/// The TypeScript release the package pins.
pub const TYPESCRIPT_VERSION: &str = "5.9.3";

/// Files copied as they are.
const STATIC: [(&str, &str); 8] = [
    (
        ".gitignore",
        include_str!("../../../templates/client-ts/gitignore"),
    ),
    (
        "eslint.config.js",
        include_str!("../../../templates/client-ts/eslint.config.js"),
    ),
    (
        ".prettierrc.json",
        include_str!("../../../templates/client-ts/prettierrc.json"),
    ),
    (
        ".prettierignore",
        include_str!("../../../templates/client-ts/prettierignore"),
    ),
    (
        "tsconfig.json",
        include_str!("../../../templates/client-ts/tsconfig.json"),
    ),
    (
        "src/client.ts",
        include_str!("../../../templates/client-ts/src/client.ts"),
    ),
    (
        "src/index.ts",
        include_str!("../../../templates/client-ts/src/index.ts"),
    ),
    (
        "test/samples.ts",
        include_str!("../../../templates/client-ts/test/samples.ts"),
    ),
];

/// The lock file, filled with the package names ([`super::lockfile`]).
const LOCK: &str = include_str!("../../../templates/client-ts/package-lock.json.in");

/// Files rendered from the view model.
const TEMPLATED: [(&str, &str); 4] = [
    (
        "package.json",
        include_str!("../../../templates/client-ts/package.json.hbs"),
    ),
    (
        "README.md",
        include_str!("../../../templates/client-ts/README.md.hbs"),
    ),
    (
        "src/model.ts",
        include_str!("../../../templates/client-ts/src/model.ts.hbs"),
    ),
    (
        "test/client.test.ts",
        include_str!("../../../templates/client-ts/test/client.test.ts.hbs"),
    ),
];

/// Emits `clients/ts/` beside a generated backend (nothing when only the
/// documents are rendered).
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientTsEmitter;

impl DocumentEmitter for ClientTsEmitter {
    fn id(&self) -> &'static str {
        "client-ts"
    }

    fn emit(&self, input: &DocInput<'_>, out: &mut FileTree) -> Result<(), RenderError> {
        if !input.backend {
            return Ok(());
        }
        let client = view::client_view(input.model);
        let lock = super::lockfile::fill(self.id(), LOCK, &[("package", &client.package)])?;
        out.insert(format!("{CLIENT_DIR}/package-lock.json"), lock)?;
        let view = serde_json::to_value(client).map_err(|e| RenderError::Emitter {
            emitter: self.id().to_string(),
            message: e.to_string(),
        })?;
        let mut templates = Templates::new();
        for (path, source) in TEMPLATED {
            templates.register(&Template::embedded(path, source))?;
        }
        for (path, source) in STATIC {
            out.insert(format!("{CLIENT_DIR}/{path}"), source.to_string())?;
        }
        for (path, _) in TEMPLATED {
            let text = templates.render(path, &view)?;
            out.insert(format!("{CLIENT_DIR}/{path}"), text)?;
        }
        Ok(())
    }
}
