//! Specs built in code, for tests and examples: the two example products of
//! archgen (`clinic.yaml` and `tasks.yaml`) and a small builder.
//!
//! ```
//! use blueprint_core::spec::FieldType;
//! let spec = compliance::testing::SpecBuilder::new("hr-portal")
//!     .description("An HR system for a company in Germany.")
//!     .entity("Employee", false, &[("tax_id", FieldType::String)])
//!     .build();
//! assert_eq!(spec.entities["Employee"].fields.len(), 1);
//! ```

use blueprint_core::spec::{
    Access, Action, Api, ComplianceSettings, Entity, Field, FieldType, Framework, OnDelete, Pii,
    Product, Relation, RelationKind, Retention, Role, Spec, Subject, SPEC_VERSION,
};
use indexmap::IndexMap;

/// Builds a [`Spec`] in code, with the defaults the parser applies.
#[derive(Debug, Clone)]
pub struct SpecBuilder {
    spec: Spec,
}

impl SpecBuilder {
    /// A spec for a product with this name, no entities yet, and the
    /// default roles (`user` with signup, `admin`).
    pub fn new(name: &str) -> SpecBuilder {
        let mut roles = IndexMap::new();
        roles.insert(
            "user".to_string(),
            Role {
                signup: true,
                admin: false,
                description: None,
            },
        );
        roles.insert(
            "admin".to_string(),
            Role {
                signup: false,
                admin: true,
                description: None,
            },
        );
        SpecBuilder {
            spec: Spec {
                spec_version: SPEC_VERSION,
                product: Product {
                    name: name.to_string(),
                    title: None,
                    description: None,
                },
                stack: blueprint_core::spec::DEFAULT_STACK.to_string(),
                database: blueprint_core::spec::DEFAULT_DATABASE.to_string(),
                compliance: ComplianceSettings::default(),
                roles,
                entities: IndexMap::new(),
                integrations: IndexMap::new(),
                api: Api::default(),
            },
        }
    }

    /// Sets the title.
    pub fn title(mut self, title: &str) -> SpecBuilder {
        self.spec.product.title = Some(title.to_string());
        self
    }

    /// Sets the description.
    pub fn description(mut self, text: &str) -> SpecBuilder {
        self.spec.product.description = Some(text.to_string());
        self
    }

    /// Sets the compliance settings.
    pub fn compliance(mut self, frameworks: &[Framework], infer: bool, none: bool) -> SpecBuilder {
        self.spec.compliance = ComplianceSettings {
            frameworks: frameworks.to_vec(),
            infer,
            none,
        };
        self
    }

    /// Replaces the roles: (name, signup, admin, description).
    pub fn roles(mut self, roles: &[(&str, bool, bool, Option<&str>)]) -> SpecBuilder {
        self.spec.roles = roles
            .iter()
            .map(|(n, signup, admin, d)| {
                (
                    n.to_string(),
                    Role {
                        signup: *signup,
                        admin: *admin,
                        description: d.map(str::to_string),
                    },
                )
            })
            .collect();
        self
    }

    /// Adds an entity with plain fields and default access rules.
    pub fn entity(self, name: &str, owned: bool, fields: &[(&str, FieldType)]) -> SpecBuilder {
        let fields = fields
            .iter()
            .map(|(n, t)| (n.to_string(), Field::new(*t)))
            .collect();
        self.entity_with(name, owned, fields)
    }

    /// Adds an entity with fields built by the caller and default access rules.
    pub fn entity_with(
        mut self,
        name: &str,
        owned: bool,
        fields: Vec<(String, Field)>,
    ) -> SpecBuilder {
        let admins: Vec<String> = self.spec.admin_roles().map(str::to_string).collect();
        let mut access = Access::default();
        for a in Action::ALL {
            *access.get_mut(a) = Access::default_for(a, owned, &admins);
        }
        self.spec.entities.insert(
            name.to_string(),
            Entity {
                description: None,
                owned,
                owned_through: None,
                completion: Default::default(),
                fields: fields.into_iter().collect(),
                relations: IndexMap::new(),
                access,
                retention: None,
                plural: None,
                renamed_from: None,
                name: name.to_string(),
            },
        );
        self
    }

    /// Changes the last entity added.
    pub fn last_entity(mut self, f: impl FnOnce(&mut Entity)) -> SpecBuilder {
        if let Some((_, e)) = self.spec.entities.last_mut() {
            f(e);
        }
        self
    }

    /// Adds an integration without options.
    pub fn integration(mut self, vendor: &str) -> SpecBuilder {
        self.spec
            .integrations
            .insert(vendor.to_string(), IndexMap::new());
        self
    }

    /// Adds an integration with text options.
    pub fn integration_with(mut self, vendor: &str, options: &[(&str, &str)]) -> SpecBuilder {
        self.spec.integrations.insert(
            vendor.to_string(),
            options
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
                .collect(),
        );
        self
    }

    /// The spec.
    pub fn build(self) -> Spec {
        self.spec
    }
}

fn field(ty: FieldType) -> Field {
    Field::new(ty)
}

fn with(mut f: Field, edit: impl FnOnce(&mut Field)) -> Field {
    edit(&mut f);
    f
}

fn subjects(list: &[&str]) -> Vec<Subject> {
    list.iter().map(|s| Subject::parse(s)).collect()
}

fn relation(to: &str, required: bool, on_delete: OnDelete, inverse: Option<&str>) -> Relation {
    Relation {
        to: to.to_string(),
        kind: RelationKind::ManyToOne,
        required,
        on_delete,
        inverse: inverse.map(str::to_string),
    }
}

/// archgen's `clinic.yaml` example, built in code.
pub fn clinic() -> Spec {
    let s = |n: &str, f: Field| (n.to_string(), f);
    SpecBuilder::new("clinic-flow")
        .title("ClinicFlow")
        .description(
            "Patients in the EU and the US book appointments with clinicians.\n\
             Clinicians keep visit notes about each appointment. Patients pay a\n\
             deposit by card when they book.\n",
        )
        .compliance(&[Framework::Hipaa, Framework::Gdpr], true, false)
        .roles(&[
            ("patient", true, false, Some("A person receiving care")),
            ("clinician", false, false, Some("A licensed provider")),
            ("admin", false, true, Some("Clinic staff")),
        ])
        .entity_with(
            "Patient",
            true,
            vec![
                s(
                    "full_name",
                    with(field(FieldType::String), |f| f.required = true),
                ),
                s(
                    "email",
                    with(field(FieldType::Email), |f| {
                        f.required = true;
                        f.unique = true;
                    }),
                ),
                s("date_of_birth", field(FieldType::Date)),
                s("phone", field(FieldType::Phone)),
                s(
                    "insurance_number",
                    with(field(FieldType::String), |f| f.pii = Some(Pii::Sensitive)),
                ),
            ],
        )
        .last_entity(|e| {
            e.description = Some("A person who receives care".into());
            e.access = Access {
                create: subjects(&["patient", "admin"]),
                read: subjects(&["owner", "clinician", "admin"]),
                update: subjects(&["owner", "admin"]),
                delete: subjects(&["admin"]),
            };
        })
        .entity_with(
            "Clinician",
            false,
            vec![
                s(
                    "display_name",
                    with(field(FieldType::String), |f| f.required = true),
                ),
                s("specialty", field(FieldType::Enum)),
                s("accepting_patients", field(FieldType::Boolean)),
            ],
        )
        .last_entity(|e| {
            e.access = Access {
                create: subjects(&["admin"]),
                read: subjects(&["authenticated"]),
                update: subjects(&["admin"]),
                delete: subjects(&["admin"]),
            };
        })
        .entity_with(
            "Appointment",
            false,
            vec![
                s(
                    "starts_at",
                    with(field(FieldType::Datetime), |f| f.required = true),
                ),
                s("duration_minutes", field(FieldType::Integer)),
                s(
                    "status",
                    with(field(FieldType::Enum), |f| {
                        let moves = |pairs: &[(&str, &[&str])]| {
                            pairs
                                .iter()
                                .map(|(to, who)| (to.to_string(), subjects(who)))
                                .collect()
                        };
                        f.transitions.insert(
                            "requested".into(),
                            moves(&[
                                ("confirmed", &["clinician"]),
                                ("cancelled", &["owner", "clinician"]),
                            ]),
                        );
                        f.transitions.insert(
                            "confirmed".into(),
                            moves(&[
                                ("cancelled", &["owner", "clinician"]),
                                ("completed", &["clinician"]),
                            ]),
                        );
                        f.frozen = vec!["cancelled".into(), "completed".into()];
                    }),
                ),
                s("reason", field(FieldType::Text)),
                s(
                    "deposit_cents",
                    with(field(FieldType::Integer), |f| {
                        f.min = Some(blueprint_core::spec::Number::Int(0));
                        f.max = Some(blueprint_core::spec::Number::Int(100_000));
                        f.default = Some(blueprint_core::spec::Scalar::Number(
                            blueprint_core::spec::Number::Int(2500),
                        ));
                        f.write = Some(vec![Subject::Role("admin".into())]);
                    }),
                ),
                s(
                    "deposit_paid",
                    with(field(FieldType::Boolean), |f| {
                        f.default = Some(blueprint_core::spec::Scalar::Bool(false));
                        f.write = Some(vec![Subject::Role("admin".into())]);
                    }),
                ),
            ],
        )
        .last_entity(|e| {
            e.owned_through = Some("patient".into());
            e.relations.insert(
                "patient".into(),
                relation("Patient", true, OnDelete::Cascade, Some("appointments")),
            );
            e.relations.insert(
                "clinician".into(),
                relation("Clinician", true, OnDelete::Restrict, None),
            );
            e.access = Access {
                create: subjects(&["patient", "admin"]),
                read: subjects(&["owner", "clinician", "admin"]),
                update: subjects(&["owner", "clinician", "admin"]),
                delete: subjects(&["admin"]),
            };
            e.retention = Retention::parse("10y");
        })
        .entity_with(
            "VisitNote",
            false,
            vec![
                s(
                    "body",
                    with(field(FieldType::Text), |f| {
                        f.required = true;
                        f.pii = Some(Pii::Sensitive);
                    }),
                ),
                s("diagnosis_code", field(FieldType::String)),
            ],
        )
        .last_entity(|e| {
            e.owned_through = Some("appointment".into());
            e.relations.insert(
                "appointment".into(),
                relation("Appointment", true, OnDelete::Cascade, None),
            );
            e.access = Access {
                create: subjects(&["clinician"]),
                read: subjects(&["clinician", "admin"]),
                update: subjects(&["clinician"]),
                delete: subjects(&["admin"]),
            };
            e.retention = Retention::parse("10y");
        })
        .integration_with(
            "stripe",
            &[
                ("pays_for", "Appointment"),
                ("amount", "deposit_cents"),
                ("currency", "eur"),
                ("sets", "deposit_paid"),
            ],
        )
        .integration("sendgrid")
        .integration("sentry")
        .build()
}

/// archgen's `tasks.yaml` example, built in code.
pub fn tasks() -> Spec {
    let s = |n: &str, f: Field| (n.to_string(), f);
    SpecBuilder::new("team-tasks")
        .title("TeamTasks")
        .description(
            "A B2B task tracker. Companies sign up, invite members, and organise work\n\
             into projects and tasks. Enterprise customers ask for a SOC 2 report.\n",
        )
        .compliance(&[Framework::Soc2], true, false)
        .roles(&[
            ("member", true, false, None),
            ("manager", false, false, None),
            ("admin", false, true, None),
        ])
        .entity_with(
            "Project",
            true,
            vec![
                s(
                    "name",
                    with(field(FieldType::String), |f| f.required = true),
                ),
                s("summary", field(FieldType::Text)),
                s("archived", field(FieldType::Boolean)),
            ],
        )
        .entity_with(
            "Task",
            true,
            vec![
                s(
                    "title",
                    with(field(FieldType::String), |f| f.required = true),
                ),
                s("details", field(FieldType::Text)),
                s("priority", field(FieldType::Enum)),
                s("due_on", field(FieldType::Date)),
                s("estimate_hours", field(FieldType::Decimal)),
                s("done", field(FieldType::Boolean)),
            ],
        )
        .last_entity(|e| {
            e.relations.insert(
                "project".into(),
                relation("Project", true, OnDelete::Cascade, Some("tasks")),
            );
            e.relations.insert(
                "labels".into(),
                Relation {
                    to: "Label".into(),
                    kind: RelationKind::ManyToMany,
                    required: false,
                    on_delete: OnDelete::Restrict,
                    inverse: None,
                },
            );
            e.access = Access {
                create: subjects(&["member", "manager", "admin"]),
                read: subjects(&["authenticated"]),
                update: subjects(&["owner", "manager", "admin"]),
                delete: subjects(&["manager", "admin"]),
            };
        })
        .entity_with(
            "Label",
            false,
            vec![
                s(
                    "name",
                    with(field(FieldType::String), |f| {
                        f.required = true;
                        f.unique = true;
                    }),
                ),
                s("color", field(FieldType::String)),
            ],
        )
        .integration("smtp")
        .build()
}
